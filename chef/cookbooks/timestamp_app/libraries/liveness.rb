# frozen_string_literal: true

require 'timeout'

module TimestampApp
  # Liveness watchdog of one Payara Micro instance. Its supervisor (systemd, or s6 on the
  # local cluster) restarts a process that exits, but not one that hangs (SIGSTOP, a
  # deadlock): the process lives on and its port still takes connections into the backlog,
  # yet nothing answers. The watchdog asks MicroProfile Health's /health/live every
  # interval_s seconds and, after `failures` consecutive failed probes, runs restart_command
  # (SIGKILL of the instance through its supervisor, which then starts it again).
  #
  # A probe fails when it times out, the connection is reset or closed unanswered, or
  # /health/live answers anything but 200 (503: a liveness check is DOWN). A refused
  # connection is not a failure: nothing listens, so the process is down or still starting,
  # which is its supervisor's business. It resets the count, as a 200 does.
  #
  # Start grace: Payara Micro takes ~20 s to start and answers 404 until the application is
  # deployed. For start_grace_s seconds after the watchdog starts, after each restart it
  # triggers, and after each refused probe (someone else restarts the instance: Chef, an
  # operator, the supervisor after a crash), failed probes are not counted. The first 200
  # ends the grace early: from then on the instance is up and a hang must be caught at once.
  #
  # Time to restart a hung instance. The watchdog sleeps interval_s after each probe, and a
  # probe of a hung instance fails only when its time runs out: 2 × timeout_s, as
  # Readiness::HTTP_GET's Net::HTTP retries a GET once after a read timeout (max_retries 1;
  # the connection lands in the backlog, the reading times out, twice). If the hang begins
  # just after a probe answered 200, the failures-th failed probe ends, and the restart
  # command runs,
  #   failures × (interval_s + 2 × timeout_s) = 3 × (2 s + 2 × 2 s) = 18 s
  # later with the defaults (interval 2 s, timeout 2 s, failures 3): the worst case. At best
  # a probe starts as the hang begins: 18 s - interval_s = 16 s. Were the GET not retried,
  # it would be failures × (interval_s + timeout_s) = 3 × (2 s + 2 s) = 12 s. The
  # supervisor's restart delay and Payara's start (~20 s) come on top before the instance
  # serves again.
  class Liveness
    # The settings (the launcher's JSON), each with what it must be.
    RULES = {
      'url' => ['the base URL http://HOST:PORT', ->(v) { v.is_a?(String) && v.match?(%r{\Ahttps?://[^/]+/?\z}) }],
      'interval_s' => ['a number > 0', ->(v) { v.is_a?(Numeric) && v.positive? }],
      'timeout_s' => ['a number > 0', ->(v) { v.is_a?(Numeric) && v.positive? }],
      'failures' => ['an integer > 0', ->(v) { v.is_a?(Integer) && v.positive? }],
      'start_grace_s' => ['a number >= 0', ->(v) { v.is_a?(Numeric) && !v.negative? }],
      'restart_command' => ['an argv (a non-empty array of strings)', ->(v) { v.is_a?(Array) && !v.empty? && v.all?(String) }]
    }.freeze
    Settings = Struct.new(*RULES.keys.map(&:to_sym), keyword_init: true)

    # systemctl kill and s6-svc -k return at once; this only bounds a wedged one.
    RESTART_TIMEOUT_S = 30
    # Nothing answered within the probe's timeout (Net::OpenTimeout and Net::ReadTimeout are
    # Timeout::Errors): the process is stopped or deadlocked.
    TIMEOUTS = [Timeout::Error, Errno::ETIMEDOUT].freeze
    # The connection was taken, then dropped without an answer.
    RESETS = [Errno::ECONNRESET, Errno::EPIPE, EOFError].freeze

    # settings: a Hash with string keys (the launcher's JSON); injectables: see #initialize.
    def self.from_config(settings, **injectables)
      RULES.each do |key, (rule, valid)|
        next if valid.call(settings[key])

        raise ArgumentError, "liveness setting #{key} must be #{rule}, not #{settings[key].inspect}"
      end
      values = RULES.keys.to_h { |key| [key.to_sym, settings[key]] }
      values[:url] = values[:url].chomp('/')
      new(Settings.new(**values), **injectables)
    end

    # http: (url, timeout) -> status, as Readiness::HTTP_GET; runner: #run(*argv, timeout:)
    # -> CommandResult, as TimestampCommon::CommandRunner; clock: seconds (monotonic);
    # sleeper: (seconds) -> _; log: (line) -> _; wall_clock: -> Time, for the log lines.
    def initialize(settings, http: Readiness::HTTP_GET, runner: TimestampCommon::CommandRunner.new,
                   clock: -> { Process.clock_gettime(Process::CLOCK_MONOTONIC) },
                   sleeper: ->(seconds) { Kernel.sleep(seconds) }, log: ->(line) { $stdout.puts(line) },
                   wall_clock: -> { Time.now })
      @settings = settings
      @live_url = settings.url + Readiness::LIVE_PATH
      @http = http
      @runner = runner
      @clock = clock
      @sleeper = sleeper
      @log = log
      @wall_clock = wall_clock
      @failed = [] # what the consecutive failed probes answered
      @grace_until = @clock.call + settings.start_grace_s
      @state = nil # what the last line logged was about, so a repeated answer is logged once
    end

    attr_reader :settings

    # Loops until the process is stopped (the launcher exits on SIGTERM).
    def run
      say("watching #{@live_url} every #{@settings.interval_s} s (timeout #{@settings.timeout_s} s): " \
          "#{@settings.failures} consecutive failed probes run #{@settings.restart_command.join(' ')}; " \
          "failed probes count after #{@settings.start_grace_s} s (start grace) or its first 200")
      loop do
        tick
        @sleeper.call(@settings.interval_s)
      end
    end

    # One probe and what follows from it. Returns :live, :refused, :inconclusive, :grace
    # (failed, not counted), :failed (counted) or :restarted.
    def tick
      verdict, answer = probe
      case verdict
      when :live then live
      when :refused then refused
      when :inconclusive then inconclusive(answer)
      else failed(answer)
      end
    end

    private

    # [verdict, what the instance answered, in words]
    def probe
      status = @http.call(@live_url, @settings.timeout_s)
      [status == 200 ? :live : :failed, "HTTP #{status}"]
    rescue Errno::ECONNREFUSED
      [:refused, 'connection refused']
    rescue *TIMEOUTS => e
      [:failed, "no answer within #{@settings.timeout_s} s (#{short_name(e)})"]
    rescue *RESETS => e
      [:failed, "connection dropped unanswered (#{short_name(e)})"]
    rescue StandardError => e # no route, no such address: not the instance's hang
      [:inconclusive, "#{short_name(e)}: #{e.message}"]
    end

    def live
      if @failed.empty?
        note(:live, 'live (HTTP 200)')
      else
        note(:live, "live again (HTTP 200) after #{@failed.length} failed probe(s)")
      end
      @failed.clear
      @grace_until = nil
      :live
    end

    def refused
      note(:refused, 'not listening (connection refused): stopped or starting, which its supervisor handles; not counted, ' \
                     "and failed probes count again after #{@settings.start_grace_s} s (start grace) or its first 200")
      @failed.clear
      @grace_until = @clock.call + @settings.start_grace_s
      :refused
    end

    def inconclusive(answer)
      note([:inconclusive, answer], "cannot tell (#{answer}): not counted")
      @failed.clear
      :inconclusive
    end

    def failed(answer)
      now = @clock.call
      if @grace_until && now < @grace_until
        note([:grace, answer], "#{answer} while starting: not counted for up to " \
                               "#{(@grace_until - now).ceil} s more (start grace)")
        return :grace
      end

      @grace_until = nil
      @failed << answer
      @state = :failing
      say("probe failed (#{@failed.length}/#{@settings.failures}): #{answer}")
      @failed.length >= @settings.failures ? restart : :failed
    end

    def restart
      command = @settings.restart_command
      say("#{@failed.length} consecutive failed probes of /health/live (#{@failed.join('; ')}): " \
          "restarting the instance: #{command.join(' ')}")
      say(outcome(command))
      @failed.clear
      @grace_until = @clock.call + @settings.start_grace_s
      @state = :restarted
      :restarted
    end

    # The restart command's outcome, in words. Whatever it was, the next one comes after a
    # start grace at the earliest: a failing command is not repeated every probe.
    def outcome(command)
      grace = "failed probes count again after #{@settings.start_grace_s} s (start grace) or its first 200"
      result = @runner.run(*command, timeout: RESTART_TIMEOUT_S)
      return "restart command done; #{grace}" if result.ok?

      why = case result.status
            when 124 then "timed out after #{RESTART_TIMEOUT_S} s"
            when 127 then 'not installed'
            else "exit status #{result.status}"
            end
      detail = [result.stderr, result.stdout].map { |text| text.to_s.strip }.find { |text| !text.empty? }
      "restart command FAILED (#{why}#{detail ? ": #{detail.lines.first.strip}" : ''}); #{grace}"
    rescue StandardError => e
      "restart command FAILED (#{short_name(e)}: #{e.message}); #{grace}"
    end

    # Logs line unless the last line was about the same state.
    def note(state, line)
      say(line) unless state == @state
      @state = state
    end

    def say(text)
      @log.call("#{@wall_clock.call.utc.strftime('%Y-%m-%dT%H:%M:%SZ')} liveness #{@settings.url}: #{text}")
    end

    def short_name(error)
      error.class.name.split('::').last
    end
  end
end
