# frozen_string_literal: true

require 'tmpdir'
require_relative '../../spec_helper'
require_relative '../archive_fixtures'

describe TimestampBackup::Catalog do
  include ArchiveFixtures

  let(:dir) { Dir.mktmpdir }
  let(:store) { TimestampBackup::Store.new(File.join(dir, 'store')) }
  let(:archive) { TimestampBackup::Archive.new(File.join(dir, 'archive')) }
  let(:catalog) { described_class.new(store, archive) }
  let(:target) { described_class::Target }

  after { FileUtils.remove_entry(dir) }

  # The plan in short: the archive files as timeline/session/file.
  def plan(target)
    p = catalog.plan(target)
    { timeline: p.timeline['id'], backup: p.backup['id'], replay: p.replay.to_s,
      files: p.files.map { |f| f.delete_prefix("#{archive.dir}/tl-000") }, last: p.last&.gno, reached: p.reached }
  end

  # Transaction n commits n seconds after T0; a backup holding 1-k ends at k.5 s.
  context 'one timeline, two sessions (the second resumes after a switch of member), two backups' do
    before do
      add_session(archive, 1, '', [[1, 2, 3, 4, 5, 6], [7, 8]])
      add_session(archive, 1, g('1-8'), [[9, 10]], member: 'db-c')
      add_backup(store, 'backup-1', timeline: 1, gtid_executed: g('1-3'), ended_at: 3.5)
      add_backup(store, 'backup-2', timeline: 1, gtid_executed: g('1-7'), ended_at: 7.5)
    end

    it 'plans the newest state from the newest backup, over the archive files that hold the rest' do
      expect(plan(target.latest)).to eq(timeline: 1, backup: 'backup-2', replay: g('8-10'), last: 10, reached: true,
                                        files: %w(1/000001-db-b/binlog.000002 1/000002-db-c/binlog.000001))
    end

    it 'restores up to a moment: the transactions committed up to it, none after, from a backup that ended before it' do
      expect(plan(target.at(moment(5.5)))).to eq(timeline: 1, backup: 'backup-1', replay: g('4-5'), last: 5, reached: true,
                                                 files: %w(1/000001-db-b/binlog.000001))
      expect(plan(target.at(moment(5)))).to include(replay: g('4-5'), last: 5)
      expect(plan(target.at(moment(5) - Rational(1, 1_000_000)))).to include(replay: g('4'), last: 4)
      expect(plan(target.at(moment(3.7)))).to eq(timeline: 1, backup: 'backup-1', replay: '', last: nil, reached: true, files: [])
      expect(plan(target.at(moment(8.2)))).to include(backup: 'backup-2', replay: g('8'), reached: true)
    end

    it 'says when a moment lies beyond the archive’s end (the newest state is planned)' do
      expect(plan(target.at(moment(100)))).to include(backup: 'backup-2', replay: g('8-10'), last: 10, reached: false)
    end

    it 'restores just before a transaction, from a backup that does not hold it' do
      expect(plan(target.before(g('9')))).to include(timeline: 1, backup: 'backup-2', replay: g('8'), last: 8, reached: true)
      expect(plan(target.before(g('5')))).to include(backup: 'backup-1', replay: g('4'), last: 4)
    end

    it 'refuses a moment before every backup, saying why each one cannot serve' do
      expect { catalog.plan(target.at(moment(2))) }
        .to raise_error(RuntimeError, /no backup reaches .*: backup-2: it ended after the target; backup-1: it ended after/)
    end

    it 'lists every backup with the newest moment it reaches' do
      expect(catalog.restorable.map { |r| [r['backup']['id'], r['until'], r['transactions'], r['problem']] })
        .to eq [['backup-1', moment(10), 7, nil], ['backup-2', moment(10), 3, nil]]
    end

    it 'gives a backup nothing is archived after the moment it ended' do
      add_backup(store, 'backup-3', timeline: 1, gtid_executed: g('1-10'), ended_at: 10.5)
      expect(catalog.restorable.last.values_at('until', 'transactions', 'problem')).to eq [moment(10.5), 0, nil]
    end
  end

  context 'a gap: transactions 7-8 were purged on every member before they were archived' do
    before do
      add_session(archive, 1, '', [[1, 2, 3, 4, 5, 6]])
      add_session(archive, 1, g('1-8'), [[9, 10]], member: 'db-c')
      add_backup(store, 'backup-1', timeline: 1, gtid_executed: g('1-3'), ended_at: 3.5)
    end

    it 'fails every plan beyond the gap from an older backup, naming it' do
      expect { catalog.plan(target.latest) }
        .to raise_error(RuntimeError, /backup-1: the archive has a gap before #{g(9)} \(#{g('7-8')} missing\)/)
      expect { catalog.plan(target.at(moment(9.5))) }.to raise_error(RuntimeError, /gap before #{g(9)}/)
    end

    it 'still reaches every point before the gap' do
      expect(plan(target.at(moment(6.5)))).to include(backup: 'backup-1', replay: g('4-6'), reached: true)
      expect(plan(target.before(g('9')))).to include(backup: 'backup-1', replay: g('4-6'), last: 6)
    end

    it 'reaches beyond it from a newer backup that holds the missing transactions' do
      add_backup(store, 'backup-2', timeline: 1, gtid_executed: g('1-8'), ended_at: 8.5)
      expect(plan(target.latest)).to include(backup: 'backup-2', replay: g('9-10'), last: 10, reached: true)
      expect(catalog.restorable.map { |r| [r['backup']['id'], r['until'], r['problem']] })
        .to eq [['backup-1', nil, "the archive has a gap before #{g(9)} (#{g('7-8')} missing)"], ['backup-2', moment(10), nil]]
    end
  end

  context 'two timelines: a restore to 1-10 at 20 s started timeline 2' do
    before do
      add_session(archive, 1, '', [[1, 2, 3, 4, 5, 6], [7, 8]])
      add_session(archive, 1, g('1-8'), [[9, 10]], member: 'db-c')
      add_backup(store, 'backup-1', timeline: 1, gtid_executed: g('1-3'), ended_at: 3.5)
      add_backup(store, 'backup-2', timeline: 1, gtid_executed: g('1-7'), ended_at: 7.5)
      archive.start_timeline(base: gtids(g('1-10')), at: moment(20))
      add_session(archive, 2, g('1-10'), [[11, 12]], shift: 10) # 11 at 21 s, 12 at 22 s
    end

    it 'plans from the parent while the new timeline has no backup yet (its restore did not finish)' do
      expect(plan(target.latest)).to include(timeline: 1, backup: 'backup-2', replay: g('8-10'))
    end

    context 'once the new timeline has its closing backup' do
      before { add_backup(store, 'backup-3', timeline: 2, gtid_executed: g('1-10'), ended_at: 20.5) }

      it 'plans the newest state on it' do
        expect(plan(target.latest)).to include(timeline: 2, backup: 'backup-3', replay: g('11-12'), last: 12)
      end

      it 'plans a moment on the timeline live then' do
        expect(plan(target.at(moment(21.5)))).to include(timeline: 2, backup: 'backup-3', replay: g('11'))
        expect(plan(target.at(moment(15)))).to include(timeline: 1, backup: 'backup-2', replay: g('8-10'), reached: false)
      end

      it 'plans --before-gtid on the timeline whose archive holds the transaction' do
        expect(plan(target.before(g('9')))).to include(timeline: 1, backup: 'backup-2', replay: g('8'))
        expect(plan(target.before(g('12')))).to include(timeline: 2, backup: 'backup-3', replay: g('11'))
        expect { catalog.plan(target.before(g('99'))) }.to raise_error(RuntimeError, /#{g(99)} is in no archived timeline/)
      end

      it 'skips a third timeline without a backup for the one before it' do
        archive.start_timeline(base: gtids(g('1-12')), at: moment(30))
        expect(plan(target.latest)).to include(timeline: 2, backup: 'backup-3')
      end
    end
  end

  it 'refuses to plan without any backup' do
    add_session(archive, 1, '', [[1, 2]])
    expect { catalog.plan(target.latest) }.to raise_error(RuntimeError, /no backup at all/)
  end
end
