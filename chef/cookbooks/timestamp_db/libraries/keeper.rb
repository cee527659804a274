# frozen_string_literal: true

require 'fileutils'
require 'json'
require 'time'
require_relative 'group'

module TimestampDb
  # Keeps one member in the group without an operator: a service beside mysqld on every
  # member (timestamp-db-keeper.service; the local cluster supervises the same unit). Every
  # interval it looks at its own member and acts on it alone, with TimestampDb::Group:
  #
  # - ONLINE in the majority's view, or RECOVERING (joining): nothing to do.
  # - ONLINE only in a view without quorum (its zone is cut off): nothing; Group Replication
  #   gives up after unreachable_majority_timeout and the member turns ERROR.
  # - ERROR (expelled after a hang, or after losing the majority): STOP GROUP_REPLICATION.
  # - OFFLINE (mysqld restarted: a crash, an OOM kill, a reboot, a clone):
  #   - a group with quorum exists: join it as a secondary, unless this member executed
  #     transactions the group does not have (errant): then it is refused and reported, and
  #     stays out until an operator decides;
  #   - no group anywhere (every member was down): bootstrap only once every member answers
  #     and is OFFLINE, from the member holding the most transactions (Group#bootstrap_candidate,
  #     ties to the first member: every keeper picks the same one, and only that one acts);
  #     when only a majority answers for bootstrap_after_s, from the most advanced of those
  #     (a member still missing could hold writes no answering member has, so this waits
  #     long); never with fewer than a majority, so a member cut off never forms a group.
  #
  # Its state goes to state_file (JSON) for `./stack status` and the monitoring.
  class Keeper
    def self.from_config(settings)
      sql = TimestampCommon::MysqlClient.new(TimestampCommon::CommandRunner.new, client: settings.fetch('mysql_client'))
      members = Group.members_from(settings.fetch('members'), report_host: settings.fetch('report_host'),
                                                              root_defaults_file: settings.fetch('root_defaults_file'),
                                                              port: settings.fetch('port'), probe: settings.fetch('probe'))
      log = ->(line) { puts "#{Time.now.utc.iso8601} keeper: #{line}" }
      group = Group.new(sql, members, replication: settings.fetch('replication'), log:)
      me = members.find { |m| m.address == settings.fetch('report_host') } or
        raise ArgumentError, "#{settings['report_host']} is not among the members"
      new(group, me, sql:, log:, settings: settings.slice('interval_s', 'bootstrap_after_s', 'join_timeout_s', 'state_file'))
    end

    attr_reader :state, :detail

    # settings: interval_s, bootstrap_after_s, join_timeout_s (see the attributes), state_file.
    def initialize(group, member, sql:, settings:, log: ->(_line) {},
                   clock: -> { Process.clock_gettime(Process::CLOCK_MONOTONIC) }, sleeper: ->(s) { sleep(s) })
      @group = group
      @me = member
      @sql = sql
      @interval_s = settings.fetch('interval_s')
      @bootstrap_after_s = settings.fetch('bootstrap_after_s')
      @join_timeout_s = settings.fetch('join_timeout_s')
      @state_file = settings['state_file']
      @log = log
      @clock = clock
      @sleeper = sleeper
      @no_group_since = nil
    end

    def run
      @log.call("keeping #{@me.name} in the group")
      loop do
        tick
        @sleeper.call(@interval_s)
      end
    end

    # One look at the member and at most one action; returns the state it reports.
    def tick
      own = @group.own_state(@me)
      case own
      when nil then report(:down, 'mysqld does not answer (stopped, starting or hung)')
      when 'RECOVERING' then report(:joining, 'distributed recovery in progress')
      when 'ONLINE' then online
      when 'ERROR' then left_after_error
      else offline
      end
    rescue DivergedError => e
      report(:diverged, e.message)
    rescue StandardError => e
      report(:failed, e.message)
    end

    private

    def online
      majority = @group.majority_view
      @no_group_since = nil if majority
      return report(:online, "ONLINE, primary #{@group.primary(majority)&.name}") if @group.online_in?(@me, majority)

      report(:minority, 'ONLINE in a view without quorum: waiting for Group Replication to give up on it')
    end

    def left_after_error
      @group.stop(@me)
      report(:stopped, 'was in ERROR (expelled, or lost the majority); left the group to join it again')
    end

    def offline
      # An expelled member is fenced with offline_mode (exit_state_action), which keeps the
      # peers' probe out too. Out of the group, super_read_only stays ON: lifting it lets the
      # peers read this member's transaction set, and nothing can write to it.
      @sql.query(@me.endpoint, 'SET GLOBAL offline_mode = OFF')
      views = @group.views
      majority = @group.majority_view(views)
      majority ? join(majority) : without_group(views)
    end

    def join(majority)
      @no_group_since = nil
      primary = @group.primary(majority) or return report(:waiting, 'the group has no primary yet')
      errant = @group.errant_transactions(@me, primary)
      unless errant.empty?
        return report(:errant, "executed transactions the group does not have (#{errant}); refusing to join: " \
                               'an operator decides (see the timestamp_db README)')
      end

      report(:joining, "joining the group (primary #{primary.name})")
      @group.join(@me, timeout: @join_timeout_s)
      report(:online, "joined the group (primary #{primary.name})")
    end

    def without_group(views)
      @no_group_since ||= @clock.call
      answering = views.compact
      busy = answering.reject { |_, view| GroupView.own_state_in(view) == 'OFFLINE' }.keys
      unless busy.empty?
        return report(:waiting, "no group with quorum; waiting for #{busy.map(&:name).join(', ')} to leave theirs")
      end

      total = @group.members.size
      waited = @clock.call - @no_group_since
      everyone = answering.size == total
      majority_long_enough = answering.size * 2 > total && waited >= @bootstrap_after_s
      unless everyone || majority_long_enough
        return report(:waiting, "no group; #{answering.size} of #{total} members answer: waiting for all " \
                                "(or a majority for #{@bootstrap_after_s} s; #{waited.round} s so far)")
      end

      candidate = @group.bootstrap_candidate
      return report(:waiting, "no group; #{candidate.name} holds the most transactions and bootstraps it") unless candidate == @me

      report(:joining, "no group; bootstrapping it (#{answering.size} of #{total} members answer, " \
                       'this one holds the most transactions)')
      @group.bootstrap(@me, timeout: @join_timeout_s)
      report(:online, 'bootstrapped the group')
    end

    # Logs a change of state or detail (not every tick) and writes the state file.
    def report(state, detail)
      @log.call("#{@me.name}: #{state}: #{detail}") unless [state, detail] == [@state, @detail]
      @state = state
      @detail = detail
      write_state
      state
    end

    def write_state
      return unless @state_file

      FileUtils.mkdir_p(File.dirname(@state_file))
      tmp = "#{@state_file}.tmp"
      File.write(tmp, JSON.generate('member' => @me.name, 'state' => @state.to_s, 'detail' => @detail,
                                    'at' => Time.now.utc.iso8601))
      File.rename(tmp, @state_file)
    end
  end
end
