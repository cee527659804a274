# frozen_string_literal: true

require 'socket'
require_relative '../../../../timestamp_common/libraries/command_runner'
require_relative '../../../libraries/readiness'
require_relative '../../../libraries/liveness'

describe TimestampApp::Liveness do
  base = 'http://10.42.0.21:8080'
  live_url = "#{base}/health/live"
  restart_command = %w(systemctl kill --signal=SIGKILL timestamp-service.service)
  prefix = "liveness #{base}: "

  # Time passes only when the watchdog sleeps or a probe times out: no real waiting. The
  # clock does not start at 0, as a monotonic clock does not.
  start = 5000.0
  let(:now) { [start] }
  let(:clock) { -> { now[0] } }
  let(:sleeps) { [] }
  # A watchdog that misses its restart fails here instead of probing on forever.
  let(:sleeper) do
    lambda do |seconds|
      raise 'still probing an hour on' if now[0] > start + 3600

      sleeps << seconds
      now[0] += seconds
    end
  end
  # The log's wall clock follows the monotonic one, from 13:00:00Z, in another time zone.
  let(:wall_clock) { -> { Time.new(2026, 12, 1, 14, 0, 0, '+01:00') + (now[0] - start) } }
  let(:lines) { [] }
  let(:log) { ->(line) { lines << line } }

  # The instance's answers, one per probe: a status, or an exception (nothing answers); the
  # last one repeats. A probe of a hung instance lasts 2 × its timeout, as Readiness::HTTP_GET's
  # does (Net::HTTP retries the GET once).
  let(:answers) { [200] }
  let(:asked) { [] }
  let(:http) do
    lambda do |target, timeout|
      asked << [target, timeout]
      answer = answers.length > 1 ? answers.shift : answers.first
      now[0] += 2 * timeout if answer.is_a?(Timeout::Error)
      raise answer if answer.is_a?(Exception)

      answer
    end
  end

  # The restart command: [argv, timeout, when] per run.
  let(:runs) { [] }
  let(:result) { TimestampCommon::CommandResult.new(0, '', '') }
  let(:runner) do
    instance_double(TimestampCommon::CommandRunner).tap do |fake|
      allow(fake).to receive(:run) do |*argv, timeout:|
        runs << [argv, timeout, now[0] - start]
        result
      end
    end
  end

  # Counting is tested without a start grace; the grace has its own examples.
  let(:config) do
    { 'url' => base, 'interval_s' => 2, 'timeout_s' => 2, 'failures' => 3, 'start_grace_s' => 0,
      'restart_command' => restart_command }
  end
  let(:watchdog) { described_class.from_config(config, http:, runner:, clock:, sleeper:, log:, wall_clock:) }

  # What n probes, interval_s apart, return.
  def ticks(count)
    Array.new(count) do
      verdict = watchdog.tick
      sleeper.call(config['interval_s'])
      verdict
    end
  end

  def restart_times
    runs.map(&:last)
  end

  describe '.from_config' do
    it 'takes the settings of the launcher (string keys) and probes /health/live within timeout_s' do
      watchdog = described_class.from_config(config.merge('url' => "#{base}/"), http:, runner:, clock:, sleeper:, log:)
      expect(watchdog.settings.to_h).to eq(url: base, interval_s: 2, timeout_s: 2, failures: 3, start_grace_s: 0,
                                           restart_command:)
      watchdog.tick
      expect(asked).to eq([[live_url, 2]])
    end

    it 'refuses a missing or bad setting, naming it' do
      expect { described_class.from_config(config.except('failures')) }
        .to raise_error(ArgumentError, 'liveness setting failures must be an integer > 0, not nil')
      expect { described_class.from_config(config.merge('failures' => 0)) }
        .to raise_error(ArgumentError, /setting failures must be an integer > 0, not 0/)
      expect { described_class.from_config(config.merge('restart_command' => 'systemctl kill x')) }
        .to raise_error(ArgumentError, /setting restart_command must be an argv/)
      expect { described_class.from_config(config.merge('url' => "#{base}/health/live")) }
        .to raise_error(ArgumentError, /setting url must be the base URL/)
      expect { described_class.from_config(config.merge('interval_s' => '2')) }
        .to raise_error(ArgumentError, /setting interval_s must be a number > 0/)
    end
  end

  describe '#tick' do
    it 'finds the instance live on 200 and runs nothing' do
      expect(ticks(5)).to eq([:live] * 5)
      expect(runs).to be_empty
    end

    it 'restarts after 3 consecutive failed probes, not after 2' do
      answers.replace([503])
      expect(ticks(2)).to eq(%i(failed failed))
      expect(runs).to be_empty
      expect(watchdog.tick).to eq(:restarted)
      expect(runs).to eq([[restart_command, described_class::RESTART_TIMEOUT_S, 4]])
    end

    it 'starts counting again after a 200' do
      answers.replace([503, 503, 200, 503, 503, 200, 503, 503])
      expect(ticks(8)).to eq(%i(failed failed live failed failed live failed failed))
      expect(runs).to be_empty
    end

    it 'does not count a refused connection (nothing listens: its supervisor\'s business) and starts again' do
      answers.replace([503, 503, Errno::ECONNREFUSED.new, 503, 503, Errno::ECONNREFUSED.new])
      expect(ticks(20)).to eq(%i(failed failed refused failed failed) + ([:refused] * 15))
      expect(runs).to be_empty
      answers.replace([503])
      expect(ticks(3)).to eq(%i(failed failed restarted))
    end

    it 'counts timeouts, connections dropped unanswered and any status but 200' do
      answers.replace([Net::ReadTimeout.new, Net::OpenTimeout.new, Errno::ECONNRESET.new, EOFError.new, 404, 200])
      expect(ticks(3)).to eq(%i(failed failed restarted))
      expect(ticks(3)).to eq(%i(failed failed live))
      expect(lines.grep(/probe failed/).map { |line| line.split(prefix).last }).to eq(
        ['probe failed (1/3): no answer within 2 s (ReadTimeout)', 'probe failed (2/3): no answer within 2 s (OpenTimeout)',
         'probe failed (3/3): connection dropped unanswered (ECONNRESET)',
         'probe failed (1/3): connection dropped unanswered (EOFError)', 'probe failed (2/3): HTTP 404']
      )
    end

    it 'does not count an answer that says nothing of the instance (no route to it)' do
      answers.replace([503, 503, Errno::EHOSTUNREACH.new, 503, 503, 200])
      expect(ticks(6)).to eq(%i(failed failed inconclusive failed failed live))
      expect(runs).to be_empty
    end

    it 'runs the restart command once, then counts nothing for start_grace_s, then counts again' do
      config['start_grace_s'] = 60
      answers.replace([200, 503]) # the 200 ends the grace of the watchdog's own start
      ticks(36) # 0 to 70 s
      # 200 at 0 s; failed at 2, 4, 6 s: restart; not counted until 66 s; failed at 66, 68, 70 s
      expect(restart_times).to eq([6, 70])
      expect(runs.map(&:first)).to eq([restart_command] * 2)
    end

    it 'counts nothing for start_grace_s after the watchdog starts' do
      config['start_grace_s'] = 60
      answers.replace([404]) # Payara Micro before the deployment
      expect(ticks(30)).to eq([:grace] * 30) # 0 to 58 s
      expect(lines).to eq(["2026-12-01T13:00:00Z #{prefix}HTTP 404 while starting: not counted for up to 60 s more " \
                           '(start grace)'])
      expect(ticks(3)).to eq(%i(failed failed restarted)) # 60, 62, 64 s
    end

    it 'ends the start grace at the first 200' do
      config['start_grace_s'] = 60
      answers.replace([404, 404, 200, 503])
      expect(ticks(6)).to eq(%i(grace grace live failed failed restarted))
    end

    it 'starts a grace when the instance was not listening: someone else restarted it' do
      config['start_grace_s'] = 60
      answers.replace([200, Errno::ECONNREFUSED.new, 404]) # 200 at 0 s, refused at 2 s
      ticks(32) # 0 to 62 s
      expect(runs).to be_empty
      # 404 from 4 s on, counted from 62 s: restart at 66 s
      expect(ticks(2)).to eq(%i(failed restarted))
      expect(restart_times).to eq([66])
    end

    it 'logs the restart in one line: when, the instance, what the probes answered, the command' do
      answers.replace([503, Net::ReadTimeout.new, Errno::ECONNRESET.new])
      ticks(3)
      # 503 at 0 s; 2 s, timed out (twice) at 6 s; 8 s, reset
      expect(lines).to include(
        "2026-12-01T13:00:08Z #{prefix}3 consecutive failed probes of /health/live (HTTP 503; no answer " \
        'within 2 s (ReadTimeout); connection dropped unanswered (ECONNRESET)): restarting the instance: ' \
        'systemctl kill --signal=SIGKILL timestamp-service.service'
      )
      expect(lines.last).to eq("2026-12-01T13:00:08Z #{prefix}restart command done; " \
                               'failed probes count again after 0 s (start grace) or its first 200')
      expect(lines).to all(match(/\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ liveness #{Regexp.escape(base)}: \S[^\n]*\z/))
    end

    it 'logs a failed restart command with its error, and tries again only after the grace' do
      config['start_grace_s'] = 30
      answers.replace([200, 503])
      result.status = 1
      result.stderr = "Failed to kill unit timestamp-service.service: Access denied\nSee system logs.\n"
      ticks(4) # restart at 6 s
      expect(lines.last).to eq("2026-12-01T13:00:06Z #{prefix}restart command FAILED (exit status 1: Failed to kill unit " \
                               'timestamp-service.service: Access denied); failed probes count again after 30 s ' \
                               '(start grace) or its first 200')
      ticks(20) # 8 to 46 s
      expect(restart_times).to eq([6, 40])
    end

    it 'logs a state once, not at every probe' do
      answers.replace([Errno::ECONNREFUSED.new])
      ticks(10)
      answers.replace([200])
      ticks(10)
      expect(lines.map { |line| line.split(prefix).last[0, 20] }).to eq(['not listening (conne', 'live (HTTP 200)'])
    end
  end

  describe '#run' do
    it 'probes, then sleeps interval_s, over and over' do
      stop_after = 3
      stopping = lambda do |seconds|
        sleeper.call(seconds)
        raise StopIteration if sleeps.length == stop_after
      end
      described_class.from_config(config, http:, runner:, clock:, sleeper: stopping, log:, wall_clock:).run
      expect(asked.length).to eq(3)
      expect(sleeps).to eq([2, 2, 2])
      expect(lines.first).to eq("2026-12-01T13:00:00Z #{prefix}watching #{live_url} every 2 s (timeout 2 s): 3 " \
                                'consecutive failed probes run systemctl kill --signal=SIGKILL timestamp-service.service; ' \
                                'failed probes count after 0 s (start grace) or its first 200')
    end

    # The README's and the attributes' number: failures × (interval_s + 2 × timeout_s).
    it 'restarts an instance that hangs 18 s after the hang with the defaults (2 s, 2 s, 3, grace 60 s)' do
      hang = 20 # the probe at 20 s answers 200, the instance hangs just after
      hung = lambda do |_target, timeout|
        next 200 if now[0] - start <= hang

        now[0] += 2 * timeout
        raise Net::ReadTimeout
      end
      stopping = lambda do |seconds|
        raise StopIteration unless runs.empty?

        sleeper.call(seconds)
      end
      described_class.from_config(config.merge('start_grace_s' => 60), http: hung, runner:, clock:, sleeper: stopping,
                                                                       log:, wall_clock:).run
      expect(restart_times).to eq([hang + 18])
    end
  end

  # The real HTTP client (Readiness::HTTP_GET, the default) against real sockets.
  describe 'probing a real socket' do
    def real_watchdog(port, timeout)
      described_class.from_config(config.merge('url' => "http://127.0.0.1:#{port}", 'timeout_s' => timeout), runner:, log:)
    end

    it 'fails a probe of a port that takes connections and never answers, within 2 × timeout_s' do
      server = TCPServer.new('127.0.0.1', 0) # never accepts: connections wait in the backlog
      began = Process.clock_gettime(Process::CLOCK_MONOTONIC)
      expect(real_watchdog(server.addr[1], 0.3).tick).to eq(:failed)
      took = Process.clock_gettime(Process::CLOCK_MONOTONIC) - began
      expect(took).to be_between(0.3, 0.6 + 0.4)
      expect(lines.last).to end_with('probe failed (1/3): no answer within 0.3 s (ReadTimeout)')
    ensure
      server&.close
    end

    it 'does not count a port where nothing listens' do
      port = TCPServer.open('127.0.0.1', 0) { |s| s.addr[1] }
      expect(real_watchdog(port, 2).tick).to eq(:refused)
    end
  end
end
