# frozen_string_literal: true

require_relative 'group_view'

module TimestampDb
  # One member of the group as the caller reaches it: its name (the metadata's label), its
  # report_host address and how the mysql client connects to it (a TimestampCommon::MysqlEndpoint).
  Member = Struct.new(:name, :address, :endpoint, keyword_init: true)

  # The members' transaction sets diverge: no member holds every other's transactions, so
  # bootstrapping from any of them would lose committed writes. An operator decides.
  class DivergedError < StandardError; end

  # The Group Replication group of the cluster's members: its state as the majority sees it,
  # the choice of the member to bootstrap from, bootstrap, join and an orderly leave. The
  # member's keeper (TimestampDb::Keeper, a service on every member) decides when to run
  # them; Chef's resources and ./stack (stack.d/ops/db.rb) read the state and wait.
  #
  # Policy (the same for every caller):
  # - state is judged from the largest view with quorum: a member cut off from the others
  #   still calls itself ONLINE in a stale view of its own;
  # - while a group with quorum exists, a member joins it (by incremental recovery or clone);
  # - only when no group exists is one bootstrapped, from the member holding the most
  #   transactions (executed plus received): every answering member's set must be a subset
  #   of its set, else nothing is bootstrapped (DivergedError). Ties go to the first member
  #   in the members' order, so members deciding at the same time pick the same one.
  class Group
    include GroupView

    # Time limits learned on the local cluster: STOP may wait up to 60 s (a member expelled
    # by a cut waits that long for a view change); START returns once the member is in the
    # group's view, more than 10 s after a long cut.
    STOP_TIMEOUT_S = 90
    START_TIMEOUT_S = 60
    LEAVE_TIMEOUT_S = 30
    POLL_S = 0.5

    attr_reader :members

    def self.quorum?(view)
      GroupView.quorum?(view)
    end

    # The members as one member's host reaches them: itself as root over its socket (its
    # option file), every peer over TCP with the probe account, which may only read the
    # group's state and transaction sets. members: [{ 'name' =>, 'address' => }].
    def self.members_from(members, report_host:, root_defaults_file:, port:, probe:)
      members.map do |m|
        endpoint = if m['address'] == report_host
                     TimestampCommon::MysqlEndpoint.new(label: m['name'], defaults_file: root_defaults_file)
                   else
                     TimestampCommon::MysqlEndpoint.new(label: m['name'], host: m['address'], port:,
                                                        user: probe.fetch('user'), password: probe.fetch('password'))
                   end
        Member.new(name: m['name'], address: m['address'], endpoint:)
      end
    end

    # sql: a TimestampCommon::MysqlClient; members: every member, in the cluster's order;
    # replication: { 'user' =>, 'password' => } of the recovery channel; log: ->(message).
    def initialize(sql, members, replication:, log: ->(_message) {},
                   clock: -> { Process.clock_gettime(Process::CLOCK_MONOTONIC) }, sleeper: ->(s) { sleep(s) })
      @sql = sql
      @members = members
      @replication = replication
      @log = log
      @clock = clock
      @sleeper = sleeper
    end

    # ---- waiting for the keepers ------------------------------------------------------------------
    # nil when the member is ONLINE in the majority's view, else what is awaited (Chef's
    # why-run and converge_by print it).
    def pending(member)
      majority = majority_view
      return nil if online_in?(member, majority)
      return "wait for #{member.name} to join the group (primary #{primary(majority)&.name})" if majority

      "wait for the members' keepers to form the group (#{member.name} among them)"
    end

    # Returns once every given member is ONLINE in the majority's view; raises after timeout
    # seconds with each member's state.
    def await_online(members, timeout:)
      deadline = @clock.call + timeout
      loop do
        majority = majority_view
        return true if members.all? { |m| online_in?(m, majority) }

        if @clock.call >= deadline
          states = status.map { |m, state, _| "#{m.name} #{state || 'not answering'}" }.join(', ')
          raise "not every member ONLINE after #{timeout} s: #{states}"
        end

        @sleeper.call(1)
      end
    end

    # ---- the operations ---------------------------------------------------------------------------
    def bootstrap(member, timeout: 180)
      @log.call("#{member.name}: bootstrapping the group")
      stop(member)
      recovery_credentials(member)
      begin
        execute!(member, 'SET GLOBAL group_replication_bootstrap_group = ON; START GROUP_REPLICATION',
                 timeout: START_TIMEOUT_S)
      ensure
        @sql.query(member.endpoint, 'SET GLOBAL group_replication_bootstrap_group = OFF')
      end
      wait_online(member, timeout)
    end

    def join(member, timeout: 180)
      if own_state(member) == 'RECOVERING'
        # already joining: let it finish first
        @log.call("#{member.name}: recovering; waiting for it")
        return true if finishes_recovery?(member, timeout)
      end
      @log.call("#{member.name}: joining the group")
      stop(member)
      recovery_credentials(member)
      execute!(member, 'START GROUP_REPLICATION', timeout: START_TIMEOUT_S)
      wait_online(member, timeout)
    end

    # A member whose Group Replication runs in any state but OFFLINE (ERROR, without quorum)
    # stops it, so that it can start anew (and its transaction set is final).
    def stop(member)
      state = own_state(member)
      return if state.nil? || state == 'OFFLINE'

      @log.call("#{member.name}: stopping Group Replication (state #{state})")
      @sql.query(member.endpoint, 'STOP GROUP_REPLICATION', timeout: STOP_TIMEOUT_S)
    end

    # Leaves the group one member at a time, secondaries first, the primary last: members
    # that shut down at the same moment each wait ~10 s for a view change; an orderly leave
    # takes under a second. Members outside the majority's view are left as they are.
    def leave
      majority = majority_view or return
      %w(SECONDARY PRIMARY).each do |role|
        @members.each do |member|
          next unless majority.any? { |m| m[:host] == member.address && m[:role] == role }
          next if @sql.query(member.endpoint, 'STOP GROUP_REPLICATION', timeout: LEAVE_TIMEOUT_S)

          @log.call("#{member.name}: STOP GROUP_REPLICATION failed; shutting down anyway")
        end
      end
    end

    private

    def finishes_recovery?(member, timeout)
      wait_online(member, timeout)
    rescue StandardError => e
      @log.call(e.message)
      false
    end

    def quote(text)
      TimestampCommon::Sql.quote(text)
    end

    def execute!(member, statement, timeout: 10)
      return if @sql.query(member.endpoint, statement, timeout:)

      raise "#{member.name}: #{statement.split(';').last.strip} failed (see its error log)"
    end

    # The recovery channel's credentials, on every member (a rejoin hangs in RECOVERING without).
    def recovery_credentials(member)
      raise ArgumentError, 'the replication password is not set' unless @replication['password']

      execute!(member, "CHANGE REPLICATION SOURCE TO SOURCE_USER = #{quote(@replication.fetch('user'))}, " \
                       "SOURCE_PASSWORD = #{quote(@replication.fetch('password'))} " \
                       "FOR CHANNEL 'group_replication_recovery'")
    end

    # Waits until the member is ONLINE. A member that does not answer is being restarted
    # (recovery by clone ends mysqld, and its supervisor starts it again); one that answers
    # OFFLINE again came back on the cloned data: Group Replication is started once more.
    def wait_online(member, timeout)
      deadline = @clock.call + timeout
      while @clock.call < deadline
        state = own_state(member)
        return true if state == 'ONLINE'
        raise "#{member.name}: Group Replication is in ERROR (see its error log)" if state == 'ERROR'

        if state == 'OFFLINE'
          recovery_credentials(member)
          execute!(member, 'START GROUP_REPLICATION', timeout: START_TIMEOUT_S)
        end
        @sleeper.call(POLL_S)
      end
      raise "#{member.name}: not ONLINE after #{timeout} s (state #{own_state(member) || 'unknown'})"
    end
  end
end
