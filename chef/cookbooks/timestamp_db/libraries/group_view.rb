# frozen_string_literal: true

module TimestampDb
  # How Group Replication looks from its members: each member's view, quorum, the largest
  # view with quorum (the majority's), the primary, every member's state, and the member
  # to bootstrap from. Mixed into TimestampDb::Group; needs @sql and @members.
  module GroupView
    TRANSACTIONS_SQL = <<~SQL
      SELECT CONCAT_WS(',', NULLIF(@@GLOBAL.gtid_executed, ''),
                       (SELECT NULLIF(RECEIVED_TRANSACTION_SET, '')
                          FROM performance_schema.replication_connection_status
                         WHERE CHANNEL_NAME = 'group_replication_applier'))
    SQL
    VIEW_SQL = <<~SQL
      SELECT IF(MEMBER_ID = @@server_uuid, 'self', 'peer'), MEMBER_ID, MEMBER_HOST,
             IF(MEMBER_STATE = '', 'OFFLINE', MEMBER_STATE), IF(MEMBER_ROLE = '', '-', MEMBER_ROLE)
        FROM performance_schema.replication_group_members
       WHERE CHANNEL_NAME = 'group_replication_applier'
       ORDER BY MEMBER_ID = @@server_uuid DESC
    SQL
    # The group as one member sees it: [{ self:, uuid:, host:, state:, role: }], or nil when
    # the member does not answer.
    def view(member, timeout: 10)
      rows = @sql.query(member.endpoint, VIEW_SQL, timeout:)
      rows&.map { |r| { self: r[0] == 'self', uuid: r[1], host: r[2], state: r[3], role: r[4] } }
    end

    # Its own member is ONLINE and more than half of the view is ONLINE.
    def self.quorum?(view)
      return false unless view

      online = view.count { |m| m[:state] == 'ONLINE' }
      view.any? { |m| m[:self] && m[:state] == 'ONLINE' } && online * 2 > view.size
    end

    # Every member's view at once (each bounded by timeout): { member => view or nil }.
    def views(timeout: 10)
      threads = @members.to_h { |m| [m, Thread.new { view(m, timeout:) }] }
      threads.transform_values(&:value)
    end

    # The largest view with quorum, or nil.
    def majority_view(all_views = views)
      all_views.values.select { |v| GroupView.quorum?(v) }.max_by(&:size)
    end

    def own_state(member)
      GroupView.own_state_in(view(member))
    end

    # The state a view gives its own member, or nil for no view (the member does not answer).
    def self.own_state_in(view)
      view&.find { |m| m[:self] }&.fetch(:state)
    end

    def online_in?(member, majority)
      !!majority&.any? { |m| m[:host] == member.address && m[:state] == 'ONLINE' }
    end

    # The member the majority's view calls PRIMARY, or nil.
    def primary(majority = majority_view)
      host = majority&.find { |m| m[:state] == 'ONLINE' && m[:role] == 'PRIMARY' }&.fetch(:host)
      @members.find { |m| m.address == host }
    end

    # [[member, state, role]]: state as the majority sees it; a member missing from that
    # view reports its own state (a member ONLINE only in a stale view of its own is
    # UNREACHABLE); without a majority every member reports its own. A member that does not
    # answer has state nil.
    def status(timeout: 1.5)
      all = views(timeout:)
      majority = majority_view(all)
      @members.map do |member|
        seen = majority&.find { |m| m[:host] == member.address }
        state, role = seen ? [seen[:state], seen[:role]] : own_status(all[member], majority)
        [member, state, state == 'ONLINE' ? role : '-']
      end
    end

    # ---- the member to bootstrap from ---------------------------------------------------------
    # { member => transaction set } of every member that answers.
    def transaction_sets
      @members.each_with_object({}) do |member, sets|
        set = @sql.query(member.endpoint, TRANSACTIONS_SQL)
        sets[member] = set.flatten.join if set
      end
    end

    # The first member (in the members' order) whose set contains every other answering
    # member's set. The server answers GTID_SUBSET: a member's own server does the arithmetic.
    def bootstrap_candidate(sets = transaction_sets)
      raise DivergedError, 'no member answers' if sets.empty?

      sets.each do |member, own|
        others = sets.reject { |m, _| m == member }.values
        return member if others.all? { |set| subset?(member, set, own) }
      end
      detail = sets.map { |m, s| "#{m.name}: #{s.empty? ? '(none)' : s}" }.join('; ')
      raise DivergedError, "the members' transaction sets diverge; refusing to pick one to bootstrap from (#{detail})"
    end

    # The transactions member executed that source (the primary) neither executed nor
    # received: '' when it may join, else the errant set (GR itself would refuse the member).
    def errant_transactions(member, source)
      theirs = @sql.query(source.endpoint, TRANSACTIONS_SQL) or raise "#{source.name} does not answer"
      @sql.value(member.endpoint, "SELECT GTID_SUBTRACT(@@GLOBAL.gtid_executed, #{quote(theirs.flatten.join)})").to_s
    end

    private

    def subset?(member, set, of)
      @sql.value(member.endpoint, "SELECT GTID_SUBSET(#{quote(set)}, #{quote(of)})") == '1'
    end

    # A member's state from its own view: [state, role], or [nil, nil] without an answer.
    def own_status(view, majority)
      return [nil, nil] unless view

      own = view.find { |m| m[:self] }
      return ['OFFLINE', '-'] unless own
      return [own[:state] == 'ONLINE' ? 'UNREACHABLE' : own[:state], '-'] if majority

      [own[:state], own[:role]]
    end
  end
end
