# frozen_string_literal: true

require 'English'
require 'fileutils'
require 'time'

module TimestampBackup
  # Streams every transaction of the group into the archive, following the group rather
  # than one member: mysqlbinlog reads one ONLINE member as a replica would
  # (BINLOG-DUMP-GTIDS, raw files, never stopping) and is told to leave out everything the
  # archive already holds. When that member leaves the majority's view, dies or is cut off,
  # the session is sealed (a transaction cut off mid-write is dropped) and a new one starts on
  # another member from the union of what is archived: no gap, no transaction twice.
  #
  # A gap is only possible when no ONLINE member still has the binary logs of transactions
  # the archive lacks (purged): the archiver then goes on from what a member can send, says
  # so loudly, and the session's `from` records the missing set, which makes every point
  # before it unreachable from older backups (TimestampBackup::Catalog).
  #
  # Every interval it also publishes its lag (how long the primary's newest transaction has
  # waited to be archived) to a metrics file and a state file.
  class Archiver
    def self.from_config(settings)
      runner = TimestampCommon::CommandRunner.new
      sql = TimestampCommon::MysqlClient.new(runner, client: settings.fetch('mysql_client'))
      new(sql:, settings:, log: ->(line) { puts "#{Time.now.utc.iso8601} archiver: #{line}" })
    end

    def initialize(sql:, settings:, log: ->(_line) {})
      @sql = sql
      @s = settings
      @log = log
      @archive = Archive.new(settings.fetch('archive_dir'))
      @group = TimestampBackup.remote_group(sql, settings)
      @session = nil
      @child = nil
      @vault = Vault.new(TimestampCommon::CommandRunner.new, settings.fetch('vault'), work_dir: settings.fetch('work_dir'))
      @lag = ArchiveLag.new
    end

    def run
      @log.call("archiving the group's transactions into #{@archive.dir}")
      at_exit { stop_session('the archiver stops') }
      loop do
        tick
        sleep Float(@s.fetch('interval_s'))
      end
    end

    # One look: the session goes on, ends or starts; the lag is measured. The group's views
    # (a query to every member) are read every view interval only; a session's mysqlbinlog
    # ends at once when its member dies, so the interval bounds the other cases (cut, hung).
    def tick
      majority = current_view
      primary = @group.primary(majority)
      snapshot(primary)
      check_session(majority) if @session
      start_session(majority) if @session.nil? && majority
      report_lag(primary)
      copy_to_vault
    rescue StandardError => e
      @log.call("error: #{e.message}")
    end

    private

    def current_view
      if @view_at.nil? || Time.now - @view_at >= Float(@s.fetch('view_interval_s'))
        @view = @group.majority_view
        @view_at = Time.now
      end
      @view
    end

    def check_session(majority)
      @archive.refresh(@session)
      reason = if Process.waitpid(@child, Process::WNOHANG) then "mysqlbinlog ended (#{$CHILD_STATUS})"
               elsif @session.timeline != @archive.current['id'] then 'a restore started a new timeline'
               elsif !@group.online_in?(@source, majority) then "#{@source.name} is not ONLINE in the majority's view"
               end
      stop_session(reason) if reason
    end

    def start_session(majority)
      timeline = @archive.current['id']
      archived = @archive.archived(timeline)
      choice = choose_source(majority, archived) or return
      source, from = choice
      @source = source
      @session = @archive.new_session(timeline, source.name, from)
      first_binlog = @sql.value(source.endpoint, 'SHOW BINARY LOGS') or raise "#{source.name} lists no binary logs"
      @child = spawn_mysqlbinlog(source, from, first_binlog)
      @log.call("session #{@session.name}: streaming from #{source.name} after #{from.empty? ? 'nothing' : from}")
    end

    # An ONLINE member that has every archived transaction and still has the binary logs of
    # every one the archive lacks; secondaries first (the primary takes the writes). Without
    # one, the member that lost the least, and the gap is recorded.
    def choose_source(majority, archived)
      sets = transaction_sets(majority).select { |_, executed, _| executed.superset?(archived) }
      complete = sets.find { |_, _, purged| archived.superset?(purged) }
      return [complete[0], archived] if complete

      member, _, purged = sets.min_by { |_, _, p| p.subtract(archived).count }
      return nil unless member

      gap = purged.subtract(archived)
      @log.call("GAP: no ONLINE member still has the binary logs of #{gap}; the archive goes on without them " \
                '(no backup older than this point can be rolled forward past it)')
      [member, archived.union(purged)]
    end

    # [[member, executed, purged]] of the ONLINE members, secondaries first.
    def transaction_sets(majority)
      roles = majority.to_h { |m| [m[:host], m[:role]] }
      online = @group.members.select { |m| @group.online_in?(m, majority) }
      online.sort_by { |m| roles[m.address] == 'PRIMARY' ? 1 : 0 }.filter_map do |m|
        executed, purged = @sql.query(m.endpoint, 'SELECT @@GLOBAL.gtid_executed, @@GLOBAL.gtid_purged')&.first
        [m, GtidSet.parse(executed), GtidSet.parse(purged)] if executed
      end
    end

    def spawn_mysqlbinlog(source, from, first_binlog)
      FileUtils.mkdir_p(@s.fetch('work_dir'))
      options = File.join(@s.fetch('work_dir'), 'archiver.cnf')
      File.write(options, "[client]\nuser=#{@s['account']['user']}\npassword=\"#{@s['account']['password']}\"\n", perm: 0o600)
      log = File.open(File.join(@s.fetch('work_dir'), 'mysqlbinlog.log'), 'a')
      Process.spawn(*Array(@s.fetch('mysqlbinlog')), "--defaults-extra-file=#{options}",
                    "--host=#{source.address}", "--port=#{@s.fetch('port')}", '--ssl-mode=REQUIRED',
                    '--read-from-remote-source=BINLOG-DUMP-GTIDS', '--raw', '--stop-never',
                    "--connection-server-id=#{@s.fetch('server_id')}", "--exclude-gtids=#{from}",
                    "--result-file=#{@session.dir}/", first_binlog,
                    in: File::NULL, out: log, err: log, pgroup: true)
    ensure
      log&.close
    end

    def stop_session(reason)
      return unless @session

      if @child
        begin
          Process.kill('TERM', -@child)
          Process.waitpid(@child)
        rescue Errno::ESRCH, Errno::ECHILD
          nil
        end
      end
      @archive.seal(@session)
      @log.call("session #{@session.name} ended: #{reason}; archived #{@archive.archived(@session.timeline)}")
      @session = @child = nil
    end

    # Lag: how long the oldest transaction the primary has executed, and the archive does
    # not hold yet, has been waiting (to the interval; 0 when nothing waits).
    # Every copy interval, the archive's new bytes go to the vault (the second copy).
    def copy_to_vault
      return if @copied_at && Time.now - @copied_at < Float(@s.fetch('vault').fetch('copy_interval_s'))

      @copied_at = Time.now # (tried: a failed copy is tried again an interval later)
      @vault.push(archive_dir: @archive.dir)
      @copied_ok_at = Time.now
    rescue StandardError => e
      @log.call("error: copying the archive to the vault: #{e.message}")
    end

    def snapshot(primary)
      executed = primary && @sql.value(primary.endpoint, 'SELECT @@GLOBAL.gtid_executed')
      @lag.note(GtidSet.parse(executed)) if executed
    end

    # The timeline's index is read once per look, for the lag and the status alike.
    def report_lag(primary)
      timeline = @archive.current['id']
      sessions = @archive.sessions(timeline)
      archived = @archive.archived(timeline, sessions)
      write_status(@lag.seconds(archived), archived, primary, timeline, sessions)
    end

    def write_status(lag, archived, primary, timeline, sessions)
      last_us = sessions.flat_map { |s| s.index['files'].values }
                        .filter_map { |f| f['last_commit_us'] }.max
      MetricsFile.write(@s['metrics_file'], [
                          ['timestamp_archive_lag_seconds', 'gauge',
                           'How long the oldest transaction not yet archived has been committed on the primary', lag, {}],
                          ['timestamp_archive_streaming', 'gauge', 'A mysqlbinlog session is running (1) or not (0)',
                           @session ? 1 : 0, {}],
                          ['timestamp_archive_last_transaction_timestamp_seconds', 'gauge',
                           'Original commit time of the newest archived transaction', last_us.to_i / 1e6, {}],
                          ['timestamp_archive_transactions', 'gauge', 'Transactions the current timeline\'s archive holds',
                           archived.count, {}],
                          ['timestamp_archive_last_copy_timestamp_seconds', 'gauge',
                           'When the archive was last copied to the vault', @copied_ok_at.to_f, {}]
                        ])
      state = { 'at' => Time.now.utc.iso8601(3), 'lag_s' => lag.round(3), 'source' => @session && @source.name,
                'last_commit_us' => last_us,
                'session' => @session&.name, 'timeline' => timeline, 'primary' => primary&.name,
                'archived' => archived.to_s }
      File.write("#{@s.fetch('state_file')}.tmp", JSON.generate(state))
      File.rename("#{@s.fetch('state_file')}.tmp", @s.fetch('state_file'))
    end
  end
end
