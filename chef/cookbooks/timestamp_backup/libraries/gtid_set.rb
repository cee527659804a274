# frozen_string_literal: true

module TimestampBackup
  # A set of MySQL GTIDs ("uuid:1-5:7,uuid2:3"), as a value: what a server has executed, what an
  # archive holds, what is missing between the two. Untagged GTIDs only. Immutable: every
  # operation returns a new set; GtidSet::Builder collects many GTIDs cheaply.
  class GtidSet
    UUID = /\A\h{8}-\h{4}-\h{4}-\h{4}-\h{12}\z/
    RANGE = /\A(\d+)\s*(?:-\s*(\d+))?\z/
    TAG = /\A[a-z_][a-z0-9_]{0,31}\z/i
    # MySQL's largest transaction number (GNO_END - 1, GNO_END being INT64_MAX).
    MAX_GNO = (2**63) - 2

    # Collects GTIDs one by one (in any order) and makes a GtidSet of them. Appending the next
    # number of a uuid costs O(1), which is what scanning a binary log does once per transaction.
    class Builder
      def initialize(set = GtidSet.new)
        @lists = Hash.new { |lists, uuid| lists[uuid] = [] }
        set.uuids.each { |uuid| @lists[uuid] = set.intervals(uuid) }
      end

      def add(uuid, gno)
        add_interval(uuid, gno, gno)
      end

      # Adds first..last (inclusive). Checked when the set is made.
      def add_interval(uuid, first, last)
        list = @lists[uuid]
        tail = list.last
        if tail && first == tail[1] + 1 && last >= first
          tail[1] = last
        else
          list << [first, last]
        end
        self
      end

      def to_set
        GtidSet.new(@lists)
      end
    end

    # MySQL's text form: whitespace and newlines around the parts are fine, so is an empty string
    # (the empty set). Tagged GTIDs ("uuid:tag:1-3") raise, as does anything else that is not a set.
    def self.parse(text)
      raise ArgumentError, "a GTID set is a String, not #{text.class}" unless text.is_a?(String)

      lists = Hash.new { |hash, uuid| hash[uuid] = [] }
      # MySQL breaks a set after each comma; the mysql client's batch output writes that
      # newline as the two characters \n.
      text.gsub('\n', '').split(',').map(&:strip).reject(&:empty?).each do |spec|
        uuid, *ranges = spec.split(':').map(&:strip)
        raise ArgumentError, "invalid GTID set #{text.inspect}: #{uuid.inspect} is not a UUID" unless UUID.match?(uuid)
        raise ArgumentError, "invalid GTID set #{text.inspect}: no transaction numbers after #{uuid}" if ranges.empty?

        ranges.each { |range| lists[uuid] << parse_range(range, text) }
      end
      new(lists)
    end

    def self.parse_range(range, text)
      match = RANGE.match(range)
      return [match[1].to_i, (match[2] || match[1]).to_i] if match

      reason = TAG.match?(range) ? "tagged GTIDs (tag #{range}) are not supported" : "#{range.inspect} is not a number or range"
      raise ArgumentError, "invalid GTID set #{text.inspect}: #{reason}"
    end
    private_class_method :parse_range

    def self.canonical_uuid(uuid)
      canonical = uuid.to_s.downcase
      raise ArgumentError, "#{uuid.inspect} is not a UUID" unless UUID.match?(canonical)

      canonical
    end

    # intervals: { uuid => [[first, last], ...] }, inclusive, in any order, overlapping or not.
    def initialize(intervals = {})
      lists = Hash.new { |hash, uuid| hash[uuid] = [] }
      intervals.each { |uuid, list| lists[GtidSet.canonical_uuid(uuid)].concat(list) }
      @by_uuid = lists.sort.to_h { |uuid, list| [uuid.freeze, merge(uuid, list)] }
                      .reject { |_, list| list.empty? }.freeze
      freeze
    end

    def to_s
      @by_uuid.map do |uuid, list|
        [uuid, *list.map { |first, last| first == last ? first.to_s : "#{first}-#{last}" }].join(':')
      end.join(',')
    end

    def inspect
      "#<#{self.class.name} #{self}>"
    end

    def empty?
      @by_uuid.empty?
    end

    def uuids
      @by_uuid.keys
    end

    # [[first, last], ...], inclusive, sorted; [] for a uuid the set does not have.
    def intervals(uuid)
      @by_uuid.fetch(uuid.to_s.downcase, []).map(&:dup)
    end

    def last(uuid)
      @by_uuid[uuid.to_s.downcase]&.last&.last
    end

    # The missing ranges between the first and the last transaction of uuid, inclusive.
    def gaps(uuid)
      intervals(uuid).each_cons(2).map { |(_, before), (after, _)| [before + 1, after - 1] }
    end

    def count
      @by_uuid.values.sum { |list| list.sum { |first, last| last - first + 1 } }
    end

    def include?(uuid, gno)
      list = @by_uuid[uuid.to_s.downcase]
      return false unless list

      interval = list.bsearch { |_, last| last >= gno }
      !interval.nil? && interval[0] <= gno
    end

    def add(uuid, gno)
      Builder.new(self).add(uuid, gno).to_set
    end

    def union(other)
      GtidSet.new(@by_uuid.merge(other.by_uuid) { |_, mine, theirs| mine + theirs })
    end
    alias + union

    def subtract(other)
      GtidSet.new(@by_uuid.to_h { |uuid, list| [uuid, cut(list, other.by_uuid.fetch(uuid, []))] })
    end
    alias - subtract

    # Holds every GTID of other.
    def superset?(other)
      other.subtract(self).empty?
    end

    # Shares at least one GTID with other.
    def intersect?(other)
      subtract(other) != self
    end

    def ==(other)
      other.is_a?(GtidSet) && by_uuid == other.by_uuid
    end
    alias eql? ==

    def hash
      @by_uuid.hash
    end

    protected

    attr_reader :by_uuid

    private

    # Sorted, merged (touching intervals too: 1-3 and 4-5 make 1-5), frozen; checks every interval.
    def merge(uuid, list)
      list.each { |first, last| check_interval(uuid, first, last) }
      list.sort.each_with_object([]) do |(first, last), merged|
        if merged.empty? || first > merged.last[1] + 1
          merged << [first, last]
        elsif last > merged.last[1]
          merged.last[1] = last
        end
      end.map(&:freeze).freeze
    end

    def check_interval(uuid, first, last)
      return if first.is_a?(Integer) && last.is_a?(Integer) && first.between?(1, last) && last <= MAX_GNO

      raise ArgumentError, "invalid GTID interval #{first.inspect}-#{last.inspect} of #{uuid}"
    end

    # Every interval of list minus every interval of removed (both sorted).
    def cut(list, removed)
      list.flat_map do |first, last|
        pieces = []
        removed.each do |gone_first, gone_last|
          next if gone_last < first || gone_first > last

          pieces << [first, gone_first - 1] if gone_first > first
          first = gone_last + 1
        end
        first <= last ? pieces << [first, last] : pieces
      end
    end
  end
end
