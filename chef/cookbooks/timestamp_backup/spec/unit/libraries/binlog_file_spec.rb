# frozen_string_literal: true

require 'tmpdir'
require_relative '../../spec_helper'
require_relative '../binlog_builder'

describe TimestampBackup::BinlogFile do
  let(:group) { 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee' }
  let(:other) { '3e11fa47-71ca-11e1-9e33-c80aa9429562' }
  let(:t0) { 1_750_000_000_123_456 } # microseconds since the epoch
  let(:dir) { Dir.mktmpdir }
  let(:path) { File.join(dir, 'binlog.000002') }
  let(:log) { BinlogBuilder.new }

  after { FileUtils.remove_entry(dir) }

  def scan(from: nil)
    described_class.scan(log.write(path), from:)
  end

  def cut(length)
    File.binwrite(path, log.bytes.byteslice(0, length))
    described_class.scan(path)
  end

  describe '.scan' do
    it 'finds every kind of transaction mysqld writes, in file order, with its bytes and commit times' do
      header_end = log.previous_gtids("#{group}:1-10,#{other}:1-3:5")[1]
      dml = log.dml(group, 11, t0)
      ddl = log.ddl(group, 12, t0 + 1)
      compressed = log.compressed(group, 13, t0 + 2)
      committed = log.dml(other, 6, t0 + 3, ending: 'COMMIT')
      log.event(:rotate, "#{[4].pack('Q<')}binlog.000003")
      result = scan
      expect(result.transactions.map(&:gtid)).to eq ["#{group}:11", "#{group}:12", "#{group}:13", "#{other}:6"]
      expect(result.transactions.map { |t| [t.start_pos, t.end_pos] }).to eq [dml, ddl, compressed, committed]
      expect(result.transactions.first.start_pos).to eq header_end
      expect(result.transactions.map(&:original_commit_us)).to eq [t0, t0 + 1, t0 + 2, t0 + 3]
      expect(result.transactions.map(&:immediate_commit_us)).to eq [t0, t0 + 1, t0 + 2, t0 + 3]
      expect(result.previous_gtids.to_s).to eq "#{other}:1-3:5,#{group}:1-10"
      expect(result.gtids.to_s).to eq "#{other}:6,#{group}:11-13"
      expect(result.complete_end).to eq log.size
      expect(result.size).to eq log.size
    end

    it 'reads the original commit timestamp when it differs from the immediate one' do
      log.gtid(group, 1, original_us: t0, immediate_us: t0 + 250_000)
      log.query('CREATE DATABASE ts')
      transaction = scan.transactions.first
      expect([transaction.original_commit_us, transaction.immediate_commit_us]).to eq [t0, t0 + 250_000]
      expect(transaction.original_commit_time).to eq Time.utc(2025, 6, 15, 15, 6, 40.123456r)
      expect(transaction.original_commit_time).to be_utc
    end

    it 'closes a DDL preceded by INTVAR events, a ROLLBACK, an XA prepare and an XA ROLLBACK, as MySQL does' do
      log.gtid(group, 1, original_us: t0)
      log.event(:intvar, [2, 5].pack('CQ<'))
      log.query('CREATE TABLE t AS SELECT 1')
      log.dml(group, 2, t0, ending: 'ROLLBACK')
      log.gtid(group, 3, original_us: t0)
      log.query('BEGIN')
      log.query('SAVEPOINT s')
      log.rows
      log.query('ROLLBACK TO s')
      log.xid
      log.gtid(group, 4, original_us: t0)
      log.query("XA START X'01'")
      log.rows
      log.query("XA END X'01'")
      log.event(:xa_prepare, [0, 1, 1, 0, 1].pack('CVVVC'))
      log.gtid(group, 5, original_us: t0)
      log.query("XA ROLLBACK X'01'")
      log.ddl(group, 6, t0, "XA COMMIT X'02'")
      result = scan
      expect(result.gtids.to_s).to eq "#{group}:1-6"
      expect(result.transactions.each_cons(2).all? { |x, y| x.end_pos == y.start_pos }).to be true
    end

    it 'reads a file without checksums' do
      log = BinlogBuilder.new(checksum: false)
      log.previous_gtids("#{group}:1-2")
      log.dml(group, 3, t0)
      result = described_class.scan(log.write(path))
      expect([result.previous_gtids.to_s, result.gtids.to_s]).to eq ["#{group}:1-2", "#{group}:3"]
    end

    it 'reads a file whose format description mysqld has already closed (in-use flag clear)' do
      log = BinlogBuilder.new(in_use: false)
      log.dml(group, 1, t0)
      expect(described_class.scan(log.write(path)).gtids.to_s).to eq "#{group}:1"
    end

    it 'takes a previous GTIDs event in the tagged format (MySQL 8.3+) when its tags are empty, and an absent one' do
      log.previous_gtids("#{group}:1-4,#{other}:2", tag: '')
      expect(scan.previous_gtids.to_s).to eq "#{other}:2,#{group}:1-4"
      expect(described_class.scan(BinlogBuilder.new.write(path)).previous_gtids).to be_empty
    end

    it 'skips ignorable events, the large transaction header of MySQL 9.x among them' do
      log.previous_gtids
      log.event(:large_transaction_header, "\x01#{[4096].pack('Q<')}\x10#{"\x00" * 64}", flags: 0x80)
      log.gtid(group, 1, original_us: t0)
      log.query('BEGIN')
      log.event(:large_transaction_header, "\x01", flags: 0x80)
      log.xid
      log.event(:stop, '')
      result = scan
      expect(result.gtids.to_s).to eq "#{group}:1"
      expect(result.complete_end).to eq log.size
    end

    it 'reads in chunks, an event larger than a chunk included' do
      stub_const('TimestampBackup::BinlogFile::EventReader::CHUNK', 64)
      log.previous_gtids("#{group}:1")
      log.dml(group, 2, t0)
      log.ddl(group, 3, t0, "CREATE TABLE big (c TEXT) COMMENT '#{'x' * 500}'")
      1.upto(20) { |i| log.dml(other, i, t0 + i) }
      result = scan
      expect(result.gtids.to_s).to eq "#{other}:1-20,#{group}:2-3"
      expect(result.complete_end).to eq log.size
    end
  end

  describe 'a file that ends before its last transaction does' do
    let!(:complete) do
      log.previous_gtids("#{group}:1-10")
      log.dml(group, 11, t0)
      log.ddl(group, 12, t0)[1]
    end

    it 'ends in the middle of an event: the partial transaction is not reported' do
      partial = log.dml(group, 13, t0)
      (complete...partial[1]).step(7).each do |length|
        result = cut(length)
        expect(result.gtids.to_s).to eq "#{group}:11-12"
        expect([result.complete_end, result.size]).to eq [complete, length]
      end
    end

    it 'ends between two events of a transaction: the same' do
      log.gtid(group, 13, original_us: t0)
      log.query('BEGIN')
      after_rows = log.rows[1]
      expect(cut(after_rows).complete_end).to eq complete
      expect(cut(after_rows).transactions.size).to eq 2
    end

    it 'has no complete transaction: complete_end is the end of the header events' do
      header_end = BinlogBuilder.new.previous_gtids("#{group}:1-10")[1]
      result = cut(header_end + 30)
      expect([result.transactions, result.complete_end]).to eq [[], header_end]
      format_description_end = BinlogBuilder.new.size
      expect(cut(header_end - 3).complete_end).to eq format_description_end # the previous GTIDs event cut too
      expect(cut(format_description_end - 1).complete_end).to eq 4
      expect(cut(2).complete_end).to eq 0
      expect(cut(0).size).to eq 0
    end

    it 'is truncated there by .truncate_incomplete, which returns the scan' do
      log.dml(group, 13, t0)
      File.binwrite(path, log.bytes.byteslice(0, log.size - 5))
      expect(described_class.truncate_incomplete(path).complete_end).to eq complete
      expect(File.size(path)).to eq complete
      expect(described_class.truncate_incomplete(path).gtids.to_s).to eq "#{group}:11-12"
      expect(File.size(path)).to eq complete
    end

    it 'is read on from complete_end once the rest arrives, the header still read' do
      log.gtid(group, 13, original_us: t0)
      first = cut(log.size - 2)
      log.query('CREATE TABLE u (id INT)')
      log.dml(group, 14, t0)
      later = scan(from: first.complete_end)
      expect(later.transactions.map(&:gno)).to eq [13, 14]
      expect(later.transactions.first.start_pos).to eq first.complete_end
      expect(later.previous_gtids.to_s).to eq "#{group}:1-10"
      expect(later.complete_end).to eq log.size
      expect(scan(from: log.size).transactions).to eq []
    end
  end

  describe 'a binary log of a MySQL 9.7 Group Replication member' do
    let(:fixture) { File.expand_path('../../fixtures/db-b-bin.000002', __dir__) }
    let(:expected) { File.readlines("#{fixture}.expected", chomp: true).grep_v(/\A#/) }
    let(:rows) { expected.drop(1).map { |line| line.match(/\A(\d+) (\d+) (\S+) (\d+) \((.+)\) (\d+)\z/) } }
    let(:result) { described_class.scan(fixture) }

    it 'holds the transactions mysqlbinlog shows, with their offsets and commit timestamps' do
      expect(result.transactions.map { |t| [t.start_pos, t.end_pos, t.gtid, t.original_commit_us, t.immediate_commit_us] })
        .to eq(rows.map { |m| [m[1].to_i, m[2].to_i, m[3], m[4].to_i, m[6].to_i] })
      expect(result.transactions.map { |t| t.original_commit_time.strftime('%F %T.%6N UTC') }).to eq(rows.map { |m| m[5] })
    end

    it 'ends with a complete transaction, and with the previous GTIDs makes the server’s gtid_executed' do
      expect(result.complete_end).to eq result.size
      expect(result.previous_gtids + result.gtids).to eq TimestampBackup::GtidSet.parse(expected.first.split.last)
    end

    it 'is read the same when cut mid-transaction, truncated and read on' do
      cut_at = result.transactions[30].end_pos - 10
      File.binwrite(path, File.binread(fixture, cut_at))
      first = described_class.truncate_incomplete(path)
      expect([first.complete_end, File.size(path)]).to eq [result.transactions[29].end_pos] * 2
      File.binwrite(path, File.binread(fixture))
      expect(first.transactions + described_class.scan(path, from: first.complete_end).transactions).to eq result.transactions
    end
  end

  describe 'from:' do
    it 'must be after the header events and inside the file' do
      log.previous_gtids("#{group}:1")
      expect { scan(from: 10) }.to raise_error(ArgumentError, /from: 10 is not after the header events/)
      expect { scan(from: log.size + 1) }.to raise_error(ArgumentError, /beyond the file's #{log.size} bytes/)
    end
  end

  describe 'errors' do
    it 'raises on a corrupted event, naming the file and the position' do
      log.previous_gtids
      start, stop = log.dml(group, 1, t0)
      bytes = log.bytes.dup
      bytes.setbyte(stop - 10, bytes.getbyte(stop - 10) ^ 0x20)
      File.binwrite(path, bytes)
      expect { described_class.scan(path) }
        .to raise_error(described_class::FormatError, /#{path}: event at \d+: its CRC32 does not match: the file is corrupted/)
      bytes = log.bytes.dup
      bytes.setbyte(start + 20, 0xFF)
      File.binwrite(path, bytes)
      expect { described_class.scan(path) }.to raise_error(described_class::FormatError, /event at #{start}: its CRC32/)
    end

    it 'raises on a corrupted format description' do
      bytes = log.bytes.dup
      bytes.setbyte(30, 0x41)
      File.binwrite(path, bytes)
      expect { described_class.scan(path) }.to raise_error(described_class::FormatError, /event at 4: its CRC32/)
    end

    it 'raises on a format description it cannot read, or none before the first event' do
      fde_end = log.size
      log.bytes.setbyte(fde_end - 5, 2) # checksum algorithm 2
      expect { scan }.to raise_error(described_class::FormatError, /event at 4: an unsupported format description/)
      File.binwrite(path, "\xFEbin".b + BinlogBuilder.new.tap(&:xid).bytes.byteslice(fde_end..))
      expect { described_class.scan(path) }
        .to raise_error(described_class::FormatError, /event at 4: an event before the format description/)
    end

    it 'raises on a GTID event with an impossible transaction number' do
      log.gtid(group, 0, original_us: t0)
      expect { scan }.to raise_error(described_class::FormatError, /a GTID event with GNO 0/)
    end

    it 'raises on what is not a binary log' do
      File.write(path, 'hello world')
      expect { described_class.scan(path) }.to raise_error(described_class::FormatError, /#{path}: not a MySQL binary log/)
    end

    it 'raises on anonymous and tagged transactions' do
      log.gtid(group, 0, original_us: t0, type: :anonymous_gtid)
      expect { scan }.to raise_error(described_class::FormatError, /anonymous transaction: gtid_mode must be ON/)
      tagged = BinlogBuilder.new.tap { |l| l.event(:gtid_tagged, "\x00" * 40) }
      expect { described_class.scan(tagged.write(path)) }
        .to raise_error(described_class::FormatError, /tagged GTIDs are not supported/)
    end

    it 'raises on tagged GTIDs in the previous GTIDs event' do
      log.previous_gtids("#{group}:1", tag: 'nightly')
      expect { scan }.to raise_error(described_class::FormatError, /tagged GTIDs: they are not supported/)
    end

    it 'raises on events out of place and unknown ones' do
      log.gtid(group, 1, original_us: t0)
      log.gtid(group, 2, original_us: t0)
      expect { scan }.to raise_error(described_class::FormatError, /a GTID event inside transaction #{group}:1/)
      log = BinlogBuilder.new.tap(&:xid)
      expect { described_class.scan(log.write(path)) }
        .to raise_error(described_class::FormatError, /unexpected commit event outside a transaction/)
      log = BinlogBuilder.new.tap { |l| l.event(99, 'x') }
      expect { described_class.scan(log.write(path)) }.to raise_error(described_class::FormatError, /an event of unknown type 99/)
      log = BinlogBuilder.new.tap { |l| l.event(99, 'x', flags: 0x80) }
      expect(described_class.scan(log.write(path)).complete_end).to eq log.size
    end
  end
end
