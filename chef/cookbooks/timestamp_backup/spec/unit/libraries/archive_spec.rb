# frozen_string_literal: true

require 'json'
require 'tmpdir'
require_relative '../../spec_helper'
require_relative '../archive_fixtures'

describe TimestampBackup::Archive do
  include ArchiveFixtures

  let(:dir) { Dir.mktmpdir }
  let(:archive) { described_class.new(dir) }

  after { FileUtils.remove_entry(dir) }

  def index(session)
    JSON.parse(File.read(File.join(session.dir, 'index.json')))
  end

  describe 'timelines' do
    it 'has timeline 1, from nothing, until a restore starts another' do
      expect(archive.timelines).to eq [{ 'id' => 1, 'parent' => nil, 'base' => '', 'started_at' => nil }]
      expect(archive.current['id']).to eq 1
    end

    it 'starts each new timeline after the last, with its base, and keeps them on disk' do
      second = archive.start_timeline(base: gtids(g('1-7')), at: moment(20))
      third = archive.start_timeline(base: gtids(g('1-12')), at: moment(30))
      expect(second).to eq('id' => 2, 'parent' => 1, 'base' => g('1-7'), 'started_at' => moment(20).iso8601(6))
      expect(third).to include('id' => 3, 'parent' => 2, 'base' => g('1-12'))
      reopened = described_class.new(dir)
      expect(reopened.timelines.map { |t| [t['id'], t['parent'], t['base']] })
        .to eq [[1, nil, ''], [2, 1, g('1-7')], [3, 2, g('1-12')]]
      expect(reopened.current['id']).to eq 3
      expect(reopened.timeline(2)['base']).to eq g('1-7')
      expect { reopened.timeline(4) }.to raise_error(ArgumentError, /no timeline 4/)
    end
  end

  describe '#new_session' do
    it 'numbers the sessions of each timeline from 1, after the highest so far' do
      first = archive.new_session(1, 'db-b', gtids(''))
      second = archive.new_session(1, 'db-c', gtids(g('1-5')))
      other = archive.new_session(2, 'db-a', gtids(g('1-9')))
      expect([first.name, second.name, other.name]).to eq %w(000001-db-b 000002-db-c 000001-db-a)
      expect(File.basename(File.dirname(other.dir))).to eq 'tl-0002'
      expect(index(second)).to include('member' => 'db-c', 'from' => g('1-5'), 'sealed' => false, 'files' => {})
      expect(archive.sessions(1).map(&:name)).to eq %w(000001-db-b 000002-db-c)
      expect(archive.new_session(1, 'db-b', gtids('')).name).to eq '000003-db-b'
    end
  end

  describe '#refresh' do
    let(:session) { archive.new_session(1, 'db-b', gtids('')) }
    let(:file) { File.join(session.dir, 'binlog.000001') }

    it 'reads the binlog-named files only' do
      binlog([1, 2]).write(file)
      File.write(File.join(session.dir, 'mysqlbinlog.log'), 'mysqlbinlog: [Warning] ...')
      File.write(File.join(session.dir, 'binlog.000001.partial'), 'not a binlog')
      FileUtils.mkdir(File.join(session.dir, 'copy.000007'))
      archive.refresh(session)
      expect(index(session)['files'].keys).to eq ['binlog.000001']
      expect(session.gtids.to_s).to eq g('1-2')
    end

    it 'reads on where it stopped: a transaction appended, or completed, is counted once' do
      log = binlog([1, 2])
      log.write(file)
      archive.refresh(session)
      expect(index(session)['files']['binlog.000001']).to include('gtids' => g('1-2'), 'transactions' => 2)

      archive.refresh(session)
      expect(index(session)['files']['binlog.000001']['transactions']).to eq 2

      log.dml(group_uuid, 3, commit_us(3))
      File.binwrite(file, log.bytes.byteslice(0, log.size - 7)) # transaction 3 half written
      archive.refresh(session)
      expect(index(session)['files']['binlog.000001']).to include('gtids' => g('1-2'), 'transactions' => 2)

      log.write(file)
      log.dml(group_uuid, 4, commit_us(4)) # a later one, only in memory
      archive.refresh(session)
      entry = index(session)['files']['binlog.000001']
      expect(entry).to include('gtids' => g('1-3'), 'transactions' => 3, 'size' => File.size(file),
                               'complete_end' => File.size(file))
      expect(entry).to include('first_commit_us' => commit_us(1), 'last_commit_us' => commit_us(3))
    end

    it 'reads on a file it first saw empty, or with its header half written (mysqlbinlog had just opened it)' do
      log = binlog([1])
      File.binwrite(file, '')
      archive.refresh(session)
      File.binwrite(file, log.bytes.byteslice(0, 30))
      archive.refresh(session)
      log.write(file)
      archive.refresh(session)
      expect(index(session)['files']['binlog.000001']).to include('gtids' => g('1'), 'transactions' => 1)
    end

    it 'counts each file of a session on its own' do
      binlog([1, 2]).write(file)
      binlog([3]).write(File.join(session.dir, 'binlog.000002'))
      archive.refresh(session)
      expect(index(session)['files'].transform_values { |f| [f['gtids'], f['transactions']] })
        .to eq('binlog.000001' => [g('1-2'), 2], 'binlog.000002' => [g('3'), 1])
      expect(session.files.map { |f| File.basename(f) }).to eq %w(binlog.000001 binlog.000002)
    end
  end

  describe '#seal' do
    it 'cuts off the half-written transaction at the end, so the next session sends it whole, and marks the session sealed' do
      session = archive.new_session(1, 'db-b', gtids(''))
      binlog([1]).write(File.join(session.dir, 'binlog.000001'))
      log = binlog([2, 3])
      complete = log.size
      log.dml(group_uuid, 4, commit_us(4))
      last = File.join(session.dir, 'binlog.000002')
      File.binwrite(last, log.bytes.byteslice(0, log.size - 3))
      archive.seal(session)

      expect(File.size(last)).to eq complete
      expect(File.size(File.join(session.dir, 'binlog.000001'))).to eq binlog([1]).size
      saved = index(session)
      expect(saved['sealed']).to be true
      expect(Time.iso8601(saved['ended_at'])).to be_within(60).of(Time.now)
      expect(saved['files']['binlog.000002']).to include('gtids' => g('2-3'), 'transactions' => 2, 'size' => complete)
      expect(described_class.new(dir).sessions(1).first.sealed?).to be true
      expect(archive.archived(1).to_s).to eq g('1-3')
    end
  end

  describe '#archived' do
    it 'is the base of the timeline, with every session’s from and transactions' do
      archive.start_timeline(base: gtids("#{g('1-5')},#{other_uuid}:1-2"))
      add_session(archive, 2, g('1-5'), [[6, 7]])
      add_session(archive, 2, g('1-9'), [[10]], member: 'db-c') # 8-9: a gap no member could send
      add_session(archive, 2, "#{g('1-10')},#{other_uuid}:1-3", [[11]])
      expect(archive.archived(2)).to eq gtids("#{g('1-11')},#{other_uuid}:1-3")
      expect(archive.archived(1)).to eq gtids('')
    end
  end

  describe '#each_transaction' do
    it 'yields every transaction of the timeline in the order of its sessions and files' do
      add_session(archive, 1, '', [[1, 2], [3]])
      add_session(archive, 1, g('1-3'), [[4], [5, 6]], member: 'db-c')
      add_session(archive, 2, '', [[100]])
      seen = archive.each_transaction(1).map { |session, file, t| [session.name, File.basename(file), t.gno] }
      expect(seen).to eq [['000001-db-b', 'binlog.000001', 1], ['000001-db-b', 'binlog.000001', 2],
                          ['000001-db-b', 'binlog.000002', 3], ['000002-db-c', 'binlog.000001', 4],
                          ['000002-db-c', 'binlog.000002', 5], ['000002-db-c', 'binlog.000002', 6]]
    end
  end

  describe '#prune' do
    let(:store) { TimestampBackup::Store.new(File.join(dir, 'store')) }

    it 'keeps what the oldest kept backup of each timeline needs, and the current timeline' do
      old = add_session(archive, 1, '', [[1, 2, 3]])
      needed = add_session(archive, 1, g('1-3'), [[4, 5, 6]])
      add_backup(store, '20260101T000000Z', timeline: 1, gtid_executed: g('1-4'), ended_at: 4)
      archive.start_timeline(base: gtids(g('1-6')))
      current = add_session(archive, 2, g('1-6'), [[7]])
      removed = archive.prune(store.manifests)
      expect(removed).to eq [old.dir]
      expect([needed.dir, current.dir].map { |d| File.exist?(d) }).to eq [true, true]
    end

    it 'removes a timeline none of the kept backups belongs to, never a session still being written' do
      add_session(archive, 1, '', [[1, 2]])
      archive.start_timeline(base: gtids(g('1-2')))
      live = archive.new_session(2, 'db-c', gtids(g('1-2')))
      add_backup(store, '20260102T000000Z', timeline: 2, gtid_executed: g('1-2'), ended_at: 3)
      removed = archive.prune(store.manifests)
      expect(removed.map { |d| File.basename(d) }).to eq ['tl-0001']
      expect(File.exist?(live.dir)).to be true
    end
  end
end
