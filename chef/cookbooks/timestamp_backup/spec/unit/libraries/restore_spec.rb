# frozen_string_literal: true

require 'json'
require 'tmpdir'
require_relative '../../spec_helper'
require_relative '../archive_fixtures'

describe TimestampBackup::Restore do
  include ArchiveFixtures

  # The restored member, as TimestampCommon::MysqlClient reaches it: its transaction set, and
  # every script it was sent.
  let(:member) do
    Class.new do
      attr_accessor :executed
      attr_reader :scripts

      def initialize
        @executed = ''
        @scripts = []
      end

      def query(_endpoint, sql, **)
        sql.include?('@@GLOBAL.gtid_executed') ? [[executed]] : []
      end

      def value(endpoint, sql, timeout: 10)
        query(endpoint, sql, timeout:).first&.first
      end

      def source!(_endpoint, script, **)
        @scripts << script
        ''
      end
    end.new
  end
  let(:endpoint) { TimestampCommon::MysqlEndpoint.new(label: 'db-a', defaults_file: '/nonexistent/root.cnf') }
  let(:dir) { Dir.mktmpdir }
  let(:settings) do
    { 'store_dir' => File.join(dir, 'store'), 'archive_dir' => File.join(dir, 'archive'), 'work_dir' => File.join(dir, 'work'),
      'mysqlbinlog' => '/nonexistent/mysqlbinlog', 'mysql_client' => '/nonexistent/mysql' }
  end
  let(:store) { TimestampBackup::Store.new(settings['store_dir']) }
  let(:archive) { TimestampBackup::Archive.new(settings['archive_dir']) }
  let(:lines) { [] }
  let(:restore) { described_class.new(sql: member, settings:, log: ->(line) { lines << line }) }
  let(:target) { TimestampBackup::Catalog::Target }

  after { FileUtils.remove_entry(dir) }

  before do
    add_session(archive, 1, '', [[1, 2, 3, 4, 5, 6], [7, 8]])
    add_backup(store, 'backup-1', timeline: 1, gtid_executed: g('1-3'), ended_at: 3.5)
  end

  describe '#plan' do
    it 'saves the plan: backup, replay set, files and the last transaction restored' do
      saved = restore.plan(target.at(moment(5.5)))
      expect(saved).to eq('target' => "#{moment(5.5).iso8601(6)} (UTC)", 'timeline' => 1, 'backup' => 'backup-1',
                          'replay' => g('4-5'), 'transactions' => 2,
                          'files' => [File.join(archive.dir, 'tl-0001', '000001-db-b', 'binlog.000001')],
                          'last' => { 'gtid' => g(5), 'committed_at' => moment(5).iso8601(6) }, 'reached' => true)
      expect(JSON.parse(File.read(File.join(settings['work_dir'], 'restore-plan.json')))).to eq saved
      expect(restore.saved_plan).to eq saved
    end

    it 'saves a plan of the backup alone with no files and no last transaction' do
      saved = restore.plan(target.before(g(4)))
      expect(saved).to include('replay' => '', 'transactions' => 0, 'files' => [], 'last' => nil)
    end
  end

  describe '#replay' do
    # A plan that replays 4-5 but names no file: no mysqlbinlog runs, only the check.
    before do
      FileUtils.mkdir_p(settings['work_dir'])
      File.write(File.join(settings['work_dir'], 'restore-plan.json'),
                 JSON.generate('backup' => 'backup-1', 'replay' => g('4-5'), 'transactions' => 2, 'files' => []))
      expect(Open3).not_to receive(:pipeline)
    end

    it 'is done when the member holds the backup and the replayed transactions' do
      member.executed = "#{g('1-5')}\n"
      expect(restore.replay(endpoint)).to eq gtids(g('1-5'))
      expect(lines.last).to eq "replayed 2 transactions; the member holds #{g('1-5')}"
    end

    it 'raises when the member holds less, or more' do
      member.executed = g('1-4')
      expect { restore.replay(endpoint) }.to raise_error(RuntimeError, /the member holds #{g('1-4')}, not #{g('1-5')}/)
      member.executed = "#{g('1-5')},#{other_uuid}:1"
      expect { restore.replay(endpoint) }.to raise_error(RuntimeError, /not #{g('1-5')}\z/)
    end
  end

  describe '#finish' do
    # Timeline 1 archived 1-8 and 1-3 of another uuid; a restore to 1-6 burnt 7-8 and started
    # timeline 2, which archived 9-12.
    before do
      add_session(archive, 1, g('1-8'), [[1, 2, 3]], uuid: other_uuid, member: 'db-c')
      archive.start_timeline(base: gtids(g('1-8')), at: moment(20))
      add_session(archive, 2, g('1-8'), [[9, 10, 11, 12]], shift: 10)
    end

    it 'marks used every number up to the highest any timeline archived that the member does not hold' do
      member.executed = "#{g('1-4:6')},\n"
      timeline = restore.finish(endpoint)
      burnt = gtids("#{g('5:7-12')},#{other_uuid}:1-3")
      expect(member.scripts).to eq ["SET GLOBAL gtid_purged = '+#{burnt}';\n"]
      expect(timeline).to include('id' => 3, 'parent' => 2, 'base' => gtids(g('1-4:6')).union(burnt).to_s)
      expect(archive.current['base']).to eq "#{other_uuid}:1-3,#{g('1-12')}"
      expect(lines.last).to match(/marked used: #{Regexp.escape(burnt.to_s)}; the archive goes on as timeline 3/)
    end

    it 'burns nothing when the member holds every number archived' do
      member.executed = "#{g('1-12')},#{other_uuid}:1-3"
      expect(restore.finish(endpoint)).to include('id' => 3, 'base' => "#{other_uuid}:1-3,#{g('1-12')}")
      expect(member.scripts).to eq []
    end
  end
end
