# frozen_string_literal: true

require 'fileutils'

module TimestampBackup
  # A short-lived mysqld of the backup host's own, never a member of the group: the recipient
  # of a remote clone (it receives a secondary's data over the network into a new directory)
  # and the check of every backup (the copy is started once, with grant tables off and no
  # network, to read the transaction set it holds and count its rows). It runs only for the
  # length of one backup, as a child of the backup job.
  class Mysqld
    START_TIMEOUT_S = 120
    STOP_TIMEOUT_S = 120

    # command: mysqld's argv (a loader command line before it on the local cluster);
    # defaults_file: the rendered option file; overrides: --option=value strings that follow it.
    def initialize(runner, command:, defaults_file:, socket:, log:, overrides: [])
      @runner = runner
      @command = Array(command)
      @defaults_file = defaults_file
      @socket = socket
      @log = log
      @overrides = overrides
      @pid = nil
    end

    attr_reader :socket

    # A new data directory (once): root without a password, reached over the socket only.
    def initialize_datadir(datadir)
      return if File.directory?(File.join(datadir, 'mysql'))

      FileUtils.rm_rf(datadir)
      result = @runner.run(*@command, "--defaults-file=#{@defaults_file}", *@overrides, "--datadir=#{datadir}",
                           '--initialize-insecure', timeout: START_TIMEOUT_S)
      raise "mysqld --initialize failed in #{datadir}: #{result.stderr.strip} (see #{@log})" unless result.ok?
    end

    # Starts it and waits until root answers on the socket; the block runs SQL with it (a
    # TimestampCommon::MysqlEndpoint), and it is shut down cleanly afterwards, whatever happens.
    def run(sql, extra: [])
      FileUtils.rm_f([@socket, "#{@socket}.lock"])
      @pid = Process.spawn(*@command, "--defaults-file=#{@defaults_file}", *@overrides, *extra,
                           in: File::NULL, out: [@log, 'a'], err: [@log, 'a'], pgroup: true)
      endpoint = TimestampCommon::MysqlEndpoint.new(label: "mysqld #{@socket}", socket: @socket, user: 'root')
      await(sql, endpoint)
      yield endpoint
    ensure
      stop(sql, endpoint) if @pid
    end

    private

    def await(sql, endpoint)
      deadline = Time.now + START_TIMEOUT_S
      until sql.value(endpoint, 'SELECT 1', timeout: 5) == '1'
        raise "mysqld did not start within #{START_TIMEOUT_S} s (see #{@log})" if Time.now > deadline || exited?

        sleep 0.25
      end
    end

    def exited?
      Process.waitpid(@pid, Process::WNOHANG) && (@pid = nil).nil?
    end

    def stop(sql, endpoint)
      sql.query(endpoint, 'SHUTDOWN', timeout: 10) if endpoint
      deadline = Time.now + STOP_TIMEOUT_S
      until Process.waitpid(@pid, Process::WNOHANG)
        if Time.now > deadline
          Process.kill('KILL', -@pid)
          Process.waitpid(@pid)
          break
        end
        sleep 0.1
      end
    rescue Errno::ECHILD, Errno::ESRCH
      nil
    ensure
      @pid = nil
    end
  end
end
