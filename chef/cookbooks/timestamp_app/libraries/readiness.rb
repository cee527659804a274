# frozen_string_literal: true

require 'net/http'
require 'uri'

module TimestampApp
  # Whether an instance of the service is ready: MicroProfile Health's /health/ready answers
  # 200 once the application is deployed and its database reachable (Payara Micro answers
  # 404 before the deployment, the application 503 while the database is out of reach).
  # Chef's timestamp_app_ready and ./stack (ops app wait-ready, ops app health) both ask here.
  class Readiness
    READY_PATH = '/health/ready'
    LIVE_PATH = '/health/live'

    class NotReady < StandardError; end

    # One GET, bounded in time: the HTTP status, or an exception when nothing answers.
    HTTP_GET = lambda do |url, timeout|
      uri = URI(url)
      Net::HTTP.start(uri.host, uri.port, use_ssl: uri.scheme == 'https',
                                          open_timeout: timeout, read_timeout: timeout) do |http|
        http.get(uri.request_uri).code.to_i
      end
    end

    # http: (url, timeout) -> status; clock: seconds (monotonic); sleep: (seconds) -> _.
    def initialize(http: HTTP_GET, clock: -> { Process.clock_gettime(Process::CLOCK_MONOTONIC) },
                   sleep: ->(seconds) { Kernel.sleep(seconds) }, interval: 0.5, probe_timeout: 2)
      @http = http
      @clock = clock
      @sleep = sleep
      @interval = interval
      @probe_timeout = probe_timeout
    end

    def ready?(url)
      probe(url).first == 200
    end

    # :ready, :live (/health/live answers 200 but /health/ready does not: its database is
    # out of reach) or :down (neither answers 200: not running, not deployed yet, or out of
    # reach), from the instance's base URL (http://HOST:PORT).
    def health(base_url)
      return :ready if ready?(base_url + READY_PATH)

      probe(base_url + LIVE_PATH).first == 200 ? :live : :down
    end

    # Returns once url answers 200. Raises NotReady at once when alive says the instance
    # stopped (waiting longer cannot help), or after timeout seconds with its last answer.
    def wait(url, timeout:, alive: -> { true }, name: url)
      deadline = @clock.call + timeout
      loop do
        raise NotReady, "#{name} stopped while starting" unless alive.call

        status, answer = probe(url)
        return true if status == 200
        raise NotReady, "#{name} is not ready after #{timeout} s (#{url}: #{answer})" if @clock.call >= deadline

        @sleep.call(@interval)
      end
    end

    private

    # [status or nil, what the instance answered, in words]
    def probe(url)
      status = @http.call(url, @probe_timeout)
      [status, "HTTP #{status}"]
    rescue StandardError => e # refused, timed out, no route: the instance is not there
      [nil, "#{e.class.name.split('::').last}: #{e.message}"]
    end
  end
end
