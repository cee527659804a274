# frozen_string_literal: true

require 'zlib'
require_relative 'binlog_events'
require_relative 'gtid_set'

module TimestampBackup
  # Reads a MySQL binary log file (format v4, as mysqld writes it or as `mysqlbinlog --raw` copies
  # it from a server) without mysqlbinlog, to find its transactions: GTID, commit timestamps and
  # where each ends. The archive uses it to know what a file holds and where its last complete
  # transaction ends: a copy cut off mid-write is truncated there, and read on from there.
  # Layouts: MySQL's libs/mysql/binlog/event/binlog_event.h and binlog_event.cpp (header, checksum),
  # control_events.cpp (Format_description_event); event bodies: BinlogEvents.
  class BinlogFile
    # Not a binary log, corrupted, or something the archive cannot use (no GTIDs, tagged GTIDs).
    class FormatError < StandardError; end

    # A complete transaction: its GTID, when it committed (microseconds since the epoch; original:
    # on the member where it ran, immediate: on the server that wrote this file) and its bytes,
    # start_pos...end_pos.
    Transaction = Struct.new(:uuid, :gno, :original_commit_us, :immediate_commit_us, :start_pos, :end_pos,
                             keyword_init: true) do
      def gtid
        "#{uuid}:#{gno}"
      end

      def original_commit_time
        Time.at(original_commit_us / 1_000_000, original_commit_us % 1_000_000, :usec).utc
      end
    end

    # What a scan found. complete_end: the offset just after the last complete transaction (or after
    # the header events when there is none), where the file can be cut and read on from. size: the
    # bytes the scan read (a file still being written may have grown since).
    Scan = Struct.new(:transactions, :previous_gtids, :complete_end, :size, keyword_init: true) do # rubocop:disable Lint/StructNewOverride
      # The GTIDs of the complete transactions.
      def gtids
        @gtids ||= transactions.each_with_object(GtidSet::Builder.new) { |t, set| set.add(t.uuid, t.gno) }.to_set
      end
    end

    MAGIC = "\xFEbin".b
    # Event header: timestamp u32, type u8, server id u32, event size u32, end position u32, flags u16.
    HEADER_LENGTH = 19
    CRC_LENGTH = 4
    # Event types (binlog_event.h, Log_event_type) and header flags.
    QUERY = 2
    FORMAT_DESCRIPTION = 15
    GTID = 33
    ANONYMOUS_GTID = 34
    PREVIOUS_GTIDS = 35
    GTID_TAGGED = 42
    IGNORABLE_FLAG = 0x80
    # Set in the format description while the file is open; its CRC is that of the flag cleared.
    IN_USE_FLAG = 0x1
    # What each other event does to a transaction (see Boundaries): XID and XA_PREPARE close one; a
    # compressed one is a single TRANSACTION_PAYLOAD; INTVAR, RAND, USER_VAR come before a statement;
    # table maps, rows, rows queries, view changes and LOAD DATA blocks are statements. STOP, ROTATE,
    # SLAVE, DELETE_FILE, HEARTBEAT(_V2), TRANSACTION_CONTEXT and LARGE_TRANSACTION_HEADER (9.x,
    # ignorable) are not part of one. Other events with the ignorable flag are skipped too.
    KINDS = {
      16 => :commit, 38 => :commit, 40 => :payload, 26 => :incident,
      5 => :pre_statement, 13 => :pre_statement, 14 => :pre_statement,
      9 => :statement, 17 => :statement, 18 => :statement, 19 => :statement, 29 => :statement, 30 => :statement,
      31 => :statement, 32 => :statement, 37 => :statement, 39 => :statement,
      3 => :ignore, 4 => :ignore, 7 => :ignore, 11 => :ignore, 27 => :ignore, 36 => :ignore, 41 => :ignore, 43 => :ignore
    }.freeze

    # from: an earlier scan's complete_end, to read only what was appended since.
    def self.scan(path, from: nil)
      File.open(path, 'rb') { |io| new(io, path:).scan(from:) }
    end

    # Cuts off a partial transaction at the end (a copy killed mid-write); returns the scan. Nothing
    # may be writing the file meanwhile.
    def self.truncate_incomplete(path)
      result = scan(path)
      File.truncate(path, result.complete_end) if result.complete_end < result.size
      result
    end

    def initialize(io, path:)
      @path = path
      @events = EventReader.new(io)
      @boundaries = Boundaries.new
      @previous_gtids = GtidSet.new
      @complete_end = 0
      @checksum = nil # true or false once the format description says
    end

    def scan(from: nil)
      if magic?
        pos = from ? read_header(before: from) : MAGIC.bytesize
        @complete_end = pos
        pos = step(pos) while pos
      end
      Scan.new(transactions: @boundaries.transactions, previous_gtids: @previous_gtids, complete_end: @complete_end,
               size: @events.size)
    rescue FormatError => e
      raise FormatError, "#{@path}: #{e.message}"
    end

    private

    # False for a file too short to hold the magic number yet.
    def magic?
      return false unless @events.fill(0, MAGIC.bytesize)
      raise FormatError, 'not a MySQL binary log' unless @events.buffer.start_with?(MAGIC)

      true
    end

    # Reads the format description and previous GTIDs events only, then goes to before.
    def read_header(before:)
      raise ArgumentError, "#{@path}: from: #{before} is beyond the file's #{@events.size} bytes" if before > @events.size
      # An earlier scan of a file caught before its format description was whole: nothing was read yet.
      return MAGIC.bytesize if before <= MAGIC.bytesize

      pos = MAGIC.bytesize
      pos = step(pos) while pos && pos < before && [FORMAT_DESCRIPTION, PREVIOUS_GTIDS].include?(@events.type_at(pos))
      return before if !@checksum.nil? && pos && pos <= before

      raise ArgumentError, "#{@path}: from: #{before} is not after the header events"
    end

    # Reads the event at pos; returns where the next one starts, or nil when the file ends first.
    def step(pos)
      index = @events.locate(pos)
      return unless index

      size = @events.size_at(index)
      event(@events.buffer.getbyte(index + 4), index, size)
      @complete_end = pos + size if @boundaries.idle?
      pos + size
    rescue FormatError => e
      raise FormatError, "event at #{pos}: #{e.message}"
    end

    def event(type, index, size)
      return format_description(index, size) if type == FORMAT_DESCRIPTION
      raise FormatError, 'an event before the format description' if @checksum.nil?

      verify_crc(index, size)
      body = index + HEADER_LENGTH
      stop = index + size - (@checksum ? CRC_LENGTH : 0)
      case type
      when GTID then @boundaries.open_transaction(**BinlogEvents.gtid(@events.buffer, body, stop), start_pos: @events.pos(index))
      when QUERY then close_or_go_on(query_kind(body, stop), index, size)
      when PREVIOUS_GTIDS then @previous_gtids = BinlogEvents.previous_gtids(@events.buffer, body, stop)
      when ANONYMOUS_GTID then raise FormatError, 'an anonymous transaction: gtid_mode must be ON'
      when GTID_TAGGED then raise FormatError, 'a tagged GTID: tagged GTIDs are not supported'
      else close_or_go_on(kind(type, index), index, size)
      end
    end

    def query_kind(body, stop)
      BinlogEvents.query_kind(BinlogEvents.query_head(@events.buffer, body, stop, post_header_length: @query_post_header))
    end

    def kind(type, index)
      KINDS.fetch(type) do
        raise FormatError, "an event of unknown type #{type}" if (@events.buffer.getbyte(index + 17) & IGNORABLE_FLAG).zero?

        :ignore
      end
    end

    def close_or_go_on(kind, index, size)
      @boundaries.event(kind, end_pos: @events.pos(index) + size) unless kind == :ignore
    end

    # Body: binlog version u16 (4), server version char[50], created u32, common header length u8
    # (19), post-header lengths u8 per event type, checksum algorithm u8 (0 none, 1 CRC32), 4 CRC bytes.
    def format_description(index, size)
      buffer = @events.buffer
      algorithm = buffer.getbyte(index + size - CRC_LENGTH - 1)
      unless size > HEADER_LENGTH + 62 && buffer.unpack1('v', offset: index + HEADER_LENGTH) == 4 &&
             buffer.getbyte(index + HEADER_LENGTH + 56) == HEADER_LENGTH && algorithm <= 1
        raise FormatError, 'an unsupported format description (not v4 with 19-byte headers and CRC32 or none)'
      end

      @checksum = algorithm == 1 if @checksum.nil?
      @query_post_header ||= buffer.getbyte(index + HEADER_LENGTH + 57 + QUERY - 1)
      verify_crc(index, size)
    end

    # The last 4 bytes are the CRC32 of the others (the format description's with its in-use flag clear).
    def verify_crc(index, size)
      return unless @checksum
      raise FormatError, "an event of #{size} bytes, too short" if size < HEADER_LENGTH + CRC_LENGTH

      data = @events.buffer.byteslice(index, size - CRC_LENGTH)
      data.setbyte(17, data.getbyte(17) & ~IN_USE_FLAG) if data.getbyte(4) == FORMAT_DESCRIPTION
      return if Zlib.crc32(data) == @events.buffer.unpack1('V', offset: index + size - CRC_LENGTH)

      raise FormatError, 'its CRC32 does not match: the file is corrupted'
    end

    # Whole events out of a file read in chunks: memory stays near CHUNK plus the largest event.
    # buffer[i] is the file's byte at pos(i).
    class EventReader
      CHUNK = 8 << 20

      attr_reader :buffer, :size

      def initialize(io)
        @io = io
        @size = io.size # a file still being written is read up to here
        @buffer = ''.b
        @offset = 0
      end

      def pos(index)
        @offset + index
      end

      # The index in buffer of the whole event at file position pos, or nil when the file ends inside it.
      def locate(pos)
        return unless fill(pos, HEADER_LENGTH)

        size = size_at(pos - @offset)
        raise FormatError, "it claims #{size} bytes, fewer than its header" if size < HEADER_LENGTH

        pos - @offset if fill(pos, size)
      end

      def size_at(index)
        @buffer.unpack1('V', offset: index + 9)
      end

      def type_at(pos)
        @buffer.getbyte(pos - @offset + 4) if fill(pos, HEADER_LENGTH)
      end

      # Makes the bytes pos...pos + length available in buffer; false when the file ends first.
      def fill(pos, length)
        index = pos - @offset
        return true if index >= 0 && index + length <= @buffer.bytesize
        return false if pos + length > @size

        kept = index.between?(0, @buffer.bytesize) ? @buffer.byteslice(index..) : ''.b
        @io.seek(pos + kept.bytesize)
        @buffer = kept << (@io.read([length, CHUNK].max.clamp(..@size - pos) - kept.bytesize) || '')
        @offset = pos
        @buffer.bytesize >= length
      end
    end

    # Where transactions start and end, as MySQL's Transaction_boundary_parser has it
    # (libs/mysql/binlog/event/trx_boundary_parser.cpp): a GTID event opens one; BEGIN ... COMMIT
    # (or ROLLBACK, XID, XA_PREPARE), a TRANSACTION_PAYLOAD (compressed) or a statement (DDL,
    # possibly after INTVAR, RAND or USER_VAR events) closes it.
    class Boundaries
      # state => kind of event => next state (:closed: the transaction is complete). Any other event
      # is out of place.
      MOVES = {
        gtid: { begin: :dml, payload: :closed, pre_statement: :ddl, statement: :closed, xa_rollback: :closed,
                incident: :closed },
        dml: { commit: :closed, xa_rollback: :closed, pre_statement: :dml, statement: :dml, incident: :closed },
        ddl: { pre_statement: :ddl, statement: :closed, incident: :closed },
        idle: { incident: :idle }
      }.freeze

      attr_reader :transactions

      def initialize
        @transactions = []
        @open = nil
        @state = :idle
      end

      def idle?
        @state == :idle
      end

      def open_transaction(**transaction)
        raise FormatError, "a GTID event inside transaction #{@open.gtid}" unless idle?

        @open = Transaction.new(**transaction)
        @state = :gtid
      end

      def event(kind, end_pos:)
        @state = MOVES.fetch(@state)[kind] || raise(FormatError, "an unexpected #{kind} event #{where}")
        return unless @state == :closed

        @open.end_pos = end_pos
        @transactions << @open
        @open = nil
        @state = :idle
      end

      private

      def where
        @open ? "in transaction #{@open.gtid}" : 'outside a transaction'
      end
    end
  end
end
