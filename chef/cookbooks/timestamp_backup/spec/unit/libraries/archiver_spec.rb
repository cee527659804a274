# frozen_string_literal: true

require 'json'
require 'tmpdir'
require_relative '../../spec_helper'
require_relative '../archive_fixtures'
require_relative '../fake_group'

describe TimestampBackup::Archiver do
  include ArchiveFixtures

  let(:group) { FakeGroup.new(%w(db-a db-b db-c)) } # db-a is the primary
  let(:dir) { Dir.mktmpdir }
  let(:lines) { [] }
  let(:settings) do
    { 'archive_dir' => File.join(dir, 'archive'), 'work_dir' => File.join(dir, 'work'), 'members' => group.members,
      'port' => 3306, 'account' => { 'user' => 'ts_backup', 'password' => 'secret' }, 'interval_s' => 1,
      'view_interval_s' => 5,
      'metrics_file' => File.join(dir, 'metrics', 'archive.prom'), 'state_file' => File.join(dir, 'archiver.json'),
      'mysqlbinlog' => '/nonexistent/mysqlbinlog', 'server_id' => 4000,
      'vault' => { 'url' => 'rsync://u@127.0.0.1:1/m', 'password' => 'x', 'rsync' => '/bin/true',
                   'timeout_s' => 1, 'copy_interval_s' => 60 } }
  end
  let(:archiver) { described_class.new(sql: group, settings:, log: ->(line) { lines << line }) }
  let(:archive) { TimestampBackup::Archive.new(settings['archive_dir']) }

  after { FileUtils.remove_entry(dir) }

  def sets(name, executed, purged = '')
    group[name].executed = executed
    group[name].purged = purged
  end

  # [member name, from] of the source the archiver would stream from next, given what is archived.
  def choice(archived)
    majority = archiver.instance_variable_get(:@group).majority_view
    member, from = archiver.send(:choose_source, majority, gtids(archived))
    member && [member.name, from.to_s]
  end

  describe 'the member it streams from' do
    it 'is an ONLINE secondary holding everything archived, never the primary while one is fit' do
      %w(db-a db-b db-c).each { |n| sets(n, g('1-20'), g('1-5')) }
      expect(choice(g('1-10'))).to eq ['db-b', g('1-10')]
      group['db-b'].state = 'RECOVERING'
      expect(choice(g('1-10'))).to eq ['db-c', g('1-10')]
    end

    it 'is a secondary that still has the binary logs of what the archive lacks, not one that purged them' do
      sets('db-a', g('1-20'))
      sets('db-b', g('1-20'), g('1-12')) # purged 11-12, which the archive lacks
      sets('db-c', g('1-20'), g('1-10'))
      expect(choice(g('1-10'))).to eq ['db-c', g('1-10')]
      expect(lines).to eq []
    end

    it 'is the primary when no secondary is fit' do
      sets('db-a', g('1-20'), g('1-3'))
      sets('db-b', g('1-20'), g('1-15'))
      group['db-c'].state = 'RECOVERING'
      sets('db-c', g('1-20'))
      expect(choice(g('1-10'))).to eq ['db-a', g('1-10')]
    end

    it 'is never a member behind the archive, however complete its binary logs' do
      sets('db-a', g('1-20'), g('1-12'))
      sets('db-b', g('1-9')) # has not applied 10 yet
      sets('db-c', g('1-20'), g('1-14'))
      expect(choice(g('1-10'))).to eq ['db-a', g('1-12')]
      expect(choice(g('1-21'))).to be_nil
    end

    it 'when every member purged transactions the archive lacks, is the one that lost least: a gap, said loudly' do
      sets('db-a', g('1-20'), g('1-14'))
      sets('db-b', g('1-20'), g('1-16'))
      sets('db-c', g('1-20'), g('1-12'))
      expect(choice(g('1-10'))).to eq ['db-c', g('1-12')]
      expect(lines.grep(/GAP/)).to eq ["GAP: no ONLINE member still has the binary logs of #{g('11-12')}; the archive goes on " \
                                       'without them (no backup older than this point can be rolled forward past it)']
    end
  end

  describe '#tick' do
    it 'starts no mysqlbinlog when no member holds everything archived, and reports that nothing streams' do
      add_session(archive, 1, g('1-12'), [])
      %w(db-a db-b db-c).each { |n| sets(n, g('1-9')) }
      expect(Process).not_to receive(:spawn)
      archiver.tick
      expect(lines.grep(/error/)).to eq []
      state = JSON.parse(File.read(settings['state_file']))
      expect(state).to include('session' => nil, 'source' => nil, 'primary' => 'db-a', 'timeline' => 1, 'archived' => g('1-12'))
      expect(File.read(settings['metrics_file']))
        .to include("timestamp_archive_streaming 0\n", "timestamp_archive_transactions 12\n")
    end

    it 'starts nothing without a group with quorum' do
      %w(db-a db-b).each do |name| # db-c, cut off, sees the others UNREACHABLE
        group[name].up = false
        group[name].state = 'UNREACHABLE'
      end
      sets('db-c', g('1-20'))
      expect(Process).not_to receive(:spawn)
      archiver.tick
      expect(JSON.parse(File.read(settings['state_file']))).to include('session' => nil, 'primary' => nil)
    end
  end
end
