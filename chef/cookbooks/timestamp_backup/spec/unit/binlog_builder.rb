# frozen_string_literal: true

require 'zlib'

# Writes synthetic MySQL binary logs for the specs: events with real headers, lengths and CRC32s,
# laid out as mysqld lays them out, so that BinlogFile reads them as it reads a server's.
class BinlogBuilder
  TYPES = { query: 2, stop: 3, rotate: 4, intvar: 5, format_description: 15, xid: 16, table_map: 19, write_rows: 30,
            gtid: 33, anonymous_gtid: 34, previous_gtids: 35, xa_prepare: 38, transaction_payload: 40,
            gtid_tagged: 42, large_transaction_header: 43 }.freeze
  QUERY_POST_HEADER = 13

  attr_reader :bytes

  def initialize(checksum: true, in_use: true)
    @checksum = checksum
    @bytes = "\xFEbin".b
    format_description(in_use:)
  end

  def size
    @bytes.bytesize
  end

  def write(path)
    File.binwrite(path, @bytes)
    path
  end

  # Appends an event (type: a name in TYPES or a number); returns [its start, its end].
  def event(type, body, flags: 0)
    start = size
    length = 19 + body.bytesize + (@checksum ? 4 : 0)
    header = [1_700_000_000, TYPES.fetch(type, type), 7, length, start + length, flags].pack('VCVVVv')
    @bytes << header << body.b
    @bytes << [Zlib.crc32(header + body.b)].pack('V') if @checksum
    [start, size]
  end

  # gtids: a GTID set's text. tag: write MySQL 8.3+'s tagged format, with this tag after each uuid.
  def previous_gtids(gtids = '', tag: nil)
    set = TimestampBackup::GtidSet.parse(gtids)
    count = tag ? (1 << 56) | (set.uuids.size << 8) | 1 : set.uuids.size
    body = [count].pack('Q<') + set.uuids.map do |uuid|
      intervals = set.intervals(uuid)
      uuid_bytes(uuid) + (tag ? [tag.bytesize << 1].pack('C') + tag : '') +
        [intervals.size, *intervals.flat_map { |first, last| [first, last + 1] }].pack('Q<*')
    end.join
    event(:previous_gtids, body)
  end

  def gtid(uuid, gno, original_us:, immediate_us: original_us, type: :gtid)
    timestamps = if original_us == immediate_us
                   uint56(immediate_us)
                 else
                   uint56(immediate_us | (1 << 55)) + uint56(original_us)
                 end
    body = [1].pack('C') + uuid_bytes(uuid) + [gno, 2, 11, 12].pack('q<Cq<q<') + timestamps +
           [200, 90_700, 8].pack('CVQ<') # transaction length, server version, commit ticket: ignored
    event(type, body)
  end

  def query(text, db: 'ts')
    status_vars = [0, 0, 1, 1 << 30].pack('CVCQ<') # Q_FLAGS2, Q_SQL_MODE
    post_header = [42, 0, db.bytesize, 0, status_vars.bytesize].pack('VVCvv')
    event(:query, "#{post_header}#{status_vars}#{db}\x00#{text}")
  end

  def xid(number = 99)
    event(:xid, [number].pack('Q<'))
  end

  # A table map and a row insert, opaque to BinlogFile.
  def rows
    event(:table_map, "\x01\x00\x00\x00\x00\x00\x01\x00\x02ts\x00\x01t\x00\x01\x03\x00\x00".b)
    event(:write_rows, "\x01\x00\x00\x00\x00\x00\x01\x00\x02\x00\x01\xFF\x00\x07\x00\x00\x00".b)
  end

  # The transactions mysqld writes; each returns [start, end].
  def dml(uuid, gno, at_us, ending: :xid)
    start, = gtid(uuid, gno, original_us: at_us)
    query('BEGIN')
    rows
    _, stop = ending == :xid ? xid : query(ending)
    [start, stop]
  end

  def ddl(uuid, gno, at_us, text = 'CREATE TABLE t (id INT PRIMARY KEY)')
    start, = gtid(uuid, gno, original_us: at_us)
    [start, query(text)[1]]
  end

  def compressed(uuid, gno, at_us)
    start, = gtid(uuid, gno, original_us: at_us)
    [start, event(:transaction_payload, "\x02\x10\x03\x01\x00\x04\x00\x00(\xB5/\xFD\x00\x00\x00\x00".b)[1]]
  end

  private

  # Version 4, the server version, created, header length 19, post-header lengths (QUERY's 13),
  # checksum algorithm, and 4 bytes for the CRC.
  def format_description(in_use:)
    lengths = Array.new(43, 0).tap { |l| l[1] = QUERY_POST_HEADER }
    body = [4].pack('v') + '9.7.0'.ljust(50, "\x00") + [0, 19].pack('VC') + lengths.pack('C*') +
           [@checksum ? 1 : 0].pack('C')
    header = [1_700_000_000, 15, 7, 19 + body.bytesize + 4, 4 + 19 + body.bytesize + 4, 0].pack('VCVVVv')
    @bytes << header << body << [@checksum ? Zlib.crc32(header + body) : 0].pack('V')
    @bytes.setbyte(4 + 17, 1) if in_use # a file mysqld has open: the CRC is that of the flag clear
  end

  def uuid_bytes(uuid)
    [uuid.delete('-')].pack('H*')
  end

  def uint56(value)
    [value].pack('Q<')[0, 7]
  end
end
