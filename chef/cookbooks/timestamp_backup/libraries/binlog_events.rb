# frozen_string_literal: true

require_relative 'gtid_set'

module TimestampBackup
  # The bodies of the binary log events BinlogFile reads, decoded from a buffer at an index: what
  # a transaction is (GTID), where it opens or closes (QUERY), what came before the file (PREVIOUS_GTIDS).
  # Layouts: MySQL's libs/mysql/binlog/event/control_events.cpp (Gtid_event),
  # statement_events.cpp (Query_event) and sql/rpl_gtid_set.cc (Gtid_set::encode).
  # body...stop: the event after its header and before its checksum. Raises BinlogFile::FormatError.
  module BinlogEvents
    # A commit timestamp is 7 bytes; in the immediate one, bit 55 says that the original one follows.
    ORIGINAL_FOLLOWS = 1 << 55
    LOGICAL_TIMESTAMP = 2

    module_function

    # flags u8, uuid 16 bytes, gno i64, logical timestamp type u8 (2), last_committed i64,
    # sequence_number i64, immediate commit timestamp 7 bytes (and, flagged, the original one), more.
    # Returns { uuid:, gno:, original_commit_us:, immediate_commit_us: }.
    def gtid(buffer, body, stop)
      immediate = buffer.getbyte(body + 25) == LOGICAL_TIMESTAMP && body + 49 <= stop && uint56(buffer, body + 42)
      raise BinlogFile::FormatError, 'a GTID event without commit timestamps (MySQL before 8.0)' unless immediate

      original = (immediate & ORIGINAL_FOLLOWS).zero? ? immediate : body + 56 <= stop && uint56(buffer, body + 49)
      raise BinlogFile::FormatError, 'a GTID event cut short' unless original

      gno = buffer.unpack1('q<', offset: body + 17)
      raise BinlogFile::FormatError, "a GTID event with GNO #{gno}" unless gno.between?(1, GtidSet::MAX_GNO)

      { uuid: uuid(buffer, body + 1), gno:, original_commit_us: original, immediate_commit_us: immediate & ~ORIGINAL_FOLLOWS }
    end

    # Post-header (post_header_length bytes, from the format description): thread id u32, exec time
    # u32, db length u8, error code u16, status vars length u16; then the status vars, the db name and
    # a NUL, and the query up to stop. Returns the first 16 bytes of the query.
    def query_head(buffer, body, stop, post_header_length:)
      start = body + post_header_length + buffer.unpack1('v', offset: body + 11) + buffer.getbyte(body + 8) + 1
      raise BinlogFile::FormatError, 'a malformed query event' if start > stop

      buffer.byteslice(start, [stop - start, 16].min)
    end

    # BEGIN and XA START open a transaction's body; COMMIT and ROLLBACK (not ROLLBACK TO a savepoint)
    # close it, XA ROLLBACK closes an XA transaction; any other query is a statement.
    def query_kind(head)
      upper = head.upcase
      if head == 'BEGIN' || head.start_with?('XA START')
        :begin
      elsif head == 'COMMIT' || (upper.start_with?('ROLLBACK') && !upper.start_with?('ROLLBACK TO '))
        :commit
      elsif upper.start_with?('XA ROLLBACK')
        :xa_rollback
      else
        :statement
      end
    end

    # n_sids u64, its top byte the format: 0 untagged; 1 tagged (MySQL 8.3+, written once any tagged
    # GTID is known: n_sids in bits 8-55, and a tag after each uuid). Then per uuid: 16 bytes, the tag,
    # n_intervals u64, and each interval as start u64, end u64 exclusive.
    def previous_gtids(buffer, body, stop)
      word = u64(buffer, body, stop)
      raise BinlogFile::FormatError, "previous GTIDs in unknown format #{word >> 56}" if word >> 56 > 1

      tagged = word >> 56 == 1
      set = GtidSet::Builder.new
      cursor = body + 8
      (tagged ? (word >> 8) & 0xFFFF_FFFF_FFFF : word).times { cursor = sid(buffer, cursor, stop, tagged:, into: set) }
      raise BinlogFile::FormatError, 'malformed previous GTIDs' unless cursor == stop

      set.to_set
    rescue ArgumentError => e
      raise BinlogFile::FormatError, "malformed previous GTIDs: #{e.message}"
    end

    # One uuid's intervals into set; returns where the next uuid starts.
    def sid(buffer, cursor, stop, tagged:, into:)
      need(cursor, 16, stop)
      uuid = uuid(buffer, cursor)
      cursor += 16
      cursor = empty_tag(buffer, cursor, stop) if tagged
      intervals = u64(buffer, cursor, stop)
      cursor += 8
      intervals.times do
        into.add_interval(uuid, u64(buffer, cursor, stop), u64(buffer, cursor + 8, stop) - 1)
        cursor += 16
      end
      cursor
    end

    # A tag is its length (one byte, length << 1, up to 127) and its bytes; an empty one is untagged.
    def empty_tag(buffer, cursor, stop)
      need(cursor, 1, stop)
      return cursor + 1 if buffer.getbyte(cursor).zero?

      raise BinlogFile::FormatError, 'previous GTIDs hold tagged GTIDs: they are not supported'
    end

    def u64(buffer, index, stop)
      need(index, 8, stop)
      buffer.unpack1('Q<', offset: index)
    end

    def need(index, length, stop)
      raise BinlogFile::FormatError, 'previous GTIDs cut short' if index + length > stop
    end

    def uuid(buffer, index)
      buffer.unpack('H8H4H4H4H12', offset: index).join('-')
    end

    def uint56(buffer, index)
      buffer.unpack1('V', offset: index) | (buffer.unpack1('v', offset: index + 4) << 32) | (buffer.getbyte(index + 6) << 48)
    end
  end
end
