# frozen_string_literal: true

require 'net/http'
require 'uri'

module TimestampLb
  # Whether each app instance is ready, for the readiness gate (TimestampLb::Gate): every
  # round asks all instances' MicroProfile Health readiness at once and turns the answers into
  # a verdict per instance, damped by rise and fall. (timestamp_lb does not depend on
  # timestamp_app, whose Readiness asks one instance at a time; this is the edge's own.)
  class ReadinessProbe
    # One GET bounded in time (connect, write and read each): the HTTP status, or an exception
    # when nothing answers. Never through a proxy: the instances are on the cluster's network.
    HTTP_GET = lambda do |url, timeout|
      uri = URI(url)
      http = Net::HTTP.new(uri.hostname, uri.port, nil)
      http.open_timeout = http.read_timeout = http.write_timeout = timeout
      http.start { http.request_get(uri.request_uri).code.to_i }
    end

    # A probe times itself out after timeout_s; the round waits this much longer before it
    # gives up on a thread that did not.
    JOIN_GRACE_S = 0.2

    # One instance's readiness: ready (nil until its first answer), the current streaks of
    # answers 200 (oks) and of failures (fails), and the last answer in words.
    Health = Struct.new(:ready, :oks, :fails, :last)

    # upstreams: [{ 'name', 'address' (host:port) }]; http: (url, timeout) -> status.
    def initialize(upstreams, ready_path:, timeout_s:, rise:, fall:, http: HTTP_GET)
      raise ArgumentError, 'rise and fall must be at least 1' if [rise, fall].min < 1

      @urls = upstreams.to_h { |u| [u['name'], "http://#{u['address']}#{ready_path}"] }
      @timeout_s = timeout_s
      @rise = rise
      @fall = fall
      @http = http
      @health = @urls.keys.to_h { |name| [name, Health.new(nil, 0, 0, nil)] }
    end

    # Probes every instance at once (the round bounded by timeout_s: a probe still running
    # then counts as a timeout) and updates the verdicts. Returns the instances whose verdict
    # changed: { name => ready }.
    def round
      observe(probe_all)
    end

    def ready?(name)
      @health.fetch(name).ready == true
    end

    # The last answer and how many times in a row it went that way: "HTTP 404 x2".
    def why(name)
      health = @health.fetch(name)
      streak = health.oks.positive? ? health.oks : health.fails
      "#{health.last}#{" x#{streak}" if streak > 1}"
    end

    # "ready: app-a, app-b; not ready: app-c (HTTP 404)"
    def summary
      ready, not_ready = @health.keys.partition { |name| ready?(name) }
      "ready: #{ready.empty? ? 'none' : ready.join(', ')}; not ready: " \
        "#{not_ready.empty? ? 'none' : not_ready.map { |name| "#{name} (#{why(name)})" }.join(', ')}"
    end

    private

    def probe_all
      deadline = monotonic + @timeout_s + JOIN_GRACE_S
      threads = @urls.map do |name, url|
        [name, Thread.new(url) do |target|
          Thread.current.report_on_exception = false
          probe(target)
        end]
      end
      threads.to_h do |name, thread|
        next [name, thread.value] if thread.join([deadline - monotonic, 0].max)

        thread.kill
        [name, [false, 'timeout']]
      end
    end

    # [answered 200?, the answer in words]; refused, timed out or any other error: not ready.
    def probe(url)
      status = @http.call(url, @timeout_s)
      [status == 200, "HTTP #{status}"]
    rescue Timeout::Error
      [false, 'timeout']
    rescue Errno::ECONNREFUSED
      [false, 'refused']
    rescue StandardError => e
      [false, e.class.name.split('::').last]
    end

    # On its first answer an instance is judged by that answer alone (there is no history
    # yet); afterwards it takes `rise` answers 200 in a row to become ready and `fall`
    # failures in a row to stop being ready.
    def observe(results)
      results.each_with_object({}) do |(name, (ok, answer)), changed|
        health = @health[name]
        health.oks = ok ? health.oks + 1 : 0
        health.fails = ok ? 0 : health.fails + 1
        health.last = answer
        before = health.ready
        health.ready = if before.nil? then ok
                       elsif before then health.fails < @fall
                       else
                         health.oks >= @rise
                       end
        changed[name] = health.ready unless before.nil? || before == health.ready
      end
    end

    def monotonic
      Process.clock_gettime(Process::CLOCK_MONOTONIC)
    end
  end
end
