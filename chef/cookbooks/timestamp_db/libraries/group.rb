# frozen_string_literal: true

require_relative 'group_view'

module TimestampDb
  # One member of the group as the caller reaches it: its name (the metadata's label), its
  # report_host address and how the mysql client connects to it (a TimestampCommon::MysqlEndpoint).
  Member = Struct.new(:name, :address, :endpoint, keyword_init: true)

  # A member ended while it was brought ONLINE (recovery by clone restarts mysqld, which
  # comes back by itself only under a supervisor): the caller starts it and tries again.
  class MemberExited < StandardError
    attr_reader :member

    def initialize(member)
      @member = member
      super("#{member.name}: mysqld exited while joining (recovery by clone restarts it)")
    end
  end

  # The members' transaction sets diverge: no member holds every other's transactions, so
  # bootstrapping from any of them would lose committed writes. An operator decides.
  class DivergedError < StandardError; end

  # The Group Replication group of the cluster's members: its state as the majority sees it,
  # the choice of the member to bootstrap from, bootstrap, join and an orderly leave. Chef's
  # timestamp_db_group_member resource and ./stack (stack.d/ops/db.rb) both run this class.
  #
  # Policy (the same for every caller):
  # - state is judged from the largest view with quorum: a member cut off from the others
  #   still calls itself ONLINE in a stale view of its own;
  # - a member ONLINE in the majority's view is left alone;
  # - while a group with quorum exists, a member joins it (by incremental recovery or clone);
  # - only when no group exists is one bootstrapped, from the member holding the most
  #   transactions (executed plus received): every answering member's set must be a subset
  #   of its set, else nothing is bootstrapped (DivergedError). Ties go to the first member
  #   in the members' order, so members converging at the same time pick the same one.
  class Group
    include GroupView

    # Time limits learned on the local cluster: STOP may wait up to 60 s (a member expelled
    # by a cut is in its auto-rejoin, whose leave step waits that long for a view change);
    # START returns once the member is in the group's view, more than 10 s after a long cut.
    STOP_TIMEOUT_S = 90
    START_TIMEOUT_S = 60
    LEAVE_TIMEOUT_S = 30
    POLL_S = 0.5

    attr_reader :members

    def self.quorum?(view)
      GroupView.quorum?(view)
    end

    # sql: a TimestampCommon::MysqlClient; members: every member, in the cluster's order;
    # replication: { 'user' =>, 'password' => } of the recovery channel;
    # alive: ->(member) { false once its mysqld process is known to have ended } (./stack
    # knows its pid files; under systemd the service manager restarts it, so the default
    # never gives up on it); log: ->(message).
    def initialize(sql, members, replication:, alive: ->(_member) { true }, log: ->(_message) {},
                   clock: -> { Process.clock_gettime(Process::CLOCK_MONOTONIC) }, sleeper: ->(s) { sleep(s) })
      @sql = sql
      @members = members
      @replication = replication
      @alive = alive
      @log = log
      @clock = clock
      @sleeper = sleeper
    end

    # ---- bringing members ONLINE ----------------------------------------------------------------
    # What converge(member) would do now: nil when the member is ONLINE in the majority's
    # view, else a sentence (Chef's why-run and converge_by print it).
    def pending(member)
      majority = majority_view
      return nil if online_in?(member, majority)
      return "join #{member.name} to the group (primary #{primary(majority)&.name})" if majority

      "start Group Replication on #{member.name} (bootstrap if it holds the most transactions, else join)"
    end

    # Brings one member ONLINE: joins the majority's group, or bootstraps when no group
    # exists and this member is the one to bootstrap from; otherwise waits up to
    # wait_for_group seconds for another member to bootstrap. Returns :online, :joined or
    # :bootstrapped.
    def converge(member, timeout: 180, wait_for_group: 0)
      deadline = @clock.call + wait_for_group
      loop do
        majority = majority_view
        return :online if online_in?(member, majority)
        return join(member, timeout:) && :joined if majority

        candidate = bootstrap_candidate
        return bootstrap(member, timeout:) && :bootstrapped if candidate == member
        raise "#{member.name}: no group yet; #{candidate.name} holds the most transactions and bootstraps it" \
          if @clock.call >= deadline

        @log.call("#{member.name}: waiting for #{candidate.name} to bootstrap the group")
        @sleeper.call(2)
      end
    end

    # Every member ONLINE, the member to bootstrap from first. Returns the members that did
    # not get there (each reason logged); raises MemberExited for the caller to restart one.
    def form(timeout: 180)
      order = majority_view ? @members : [bootstrap_candidate(transaction_sets_after_stop), *@members].uniq
      order.reject do |member|
        result = converge(member, timeout:)
        @log.call("#{member.name}: #{result}") unless result == :online
        true
      rescue MemberExited
        raise
      rescue StandardError => e
        @log.call("#{member.name}: #{e.message}")
        false
      end
    end

    def bootstrap(member, timeout: 180)
      @log.call("#{member.name}: bootstrapping the group")
      stop_if_needed(member)
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
        # already joining (an auto-rejoin, or another caller): let it finish first
        @log.call("#{member.name}: recovering; waiting for it")
        return true if finishes_recovery?(member, timeout)
      end
      @log.call("#{member.name}: joining the group")
      stop_if_needed(member)
      recovery_credentials(member)
      execute!(member, 'START GROUP_REPLICATION', timeout: START_TIMEOUT_S)
      wait_online(member, timeout)
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

    # Without a majority every member first leaves whatever is left of its group (a member
    # in ERROR or stuck without quorum), so that their sets are final when compared.
    def transaction_sets_after_stop
      @members.each { |member| stop_if_needed(member) }
      transaction_sets
    end

    def finishes_recovery?(member, timeout)
      wait_online(member, timeout)
    rescue MemberExited
      raise
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

    # A member whose Group Replication runs in any state but OFFLINE (ERROR, without quorum,
    # an auto-rejoin in progress) stops it before it starts anew.
    def stop_if_needed(member)
      state = own_state(member)
      return if state.nil? || state == 'OFFLINE'

      @log.call("#{member.name}: stopping Group Replication (state #{state})")
      @sql.query(member.endpoint, 'STOP GROUP_REPLICATION', timeout: STOP_TIMEOUT_S)
    end

    # Waits until the member is ONLINE. A member that answers OFFLINE again was restarted
    # (recovery by clone ends mysqld; a supervisor or the caller starts it): Group
    # Replication is started once more on the cloned data.
    def wait_online(member, timeout)
      deadline = @clock.call + timeout
      while @clock.call < deadline
        state = own_state(member)
        return true if state == 'ONLINE'
        raise "#{member.name}: Group Replication is in ERROR (see its error log)" if state == 'ERROR'
        raise MemberExited, member if state.nil? && !@alive.call(member)

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
