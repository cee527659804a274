# frozen_string_literal: true

# The app instances' operations for ./stack (stack.d/app.sh), on the timestamp_app
# cookbook's library: the same readiness code as Chef's timestamp_app_ready.

module Ops
  module App
    # Whether process PID still runs (not a zombie) and is the process it was when first
    # asked: pids wrap around, and another program may get the number once it has exited.
    def self.same_process(pid)
      started = Ops.start_ticks(pid)
      -> { !started.nil? && Ops.start_ticks(pid) == started }
    end
  end
end

# Waits until the instance at BASE_URL (http://HOST:PORT) is ready, at most SECONDS; fails
# at once when its process PID (its running pid from the pid file; - if none) is gone or
# goes. NAME and LOG go into the failure message.
Ops.command('app', 'wait-ready', 'NAME BASE_URL SECONDS PID|- LOG') do |name, base_url, seconds, pid, log|
  raise ArgumentError, 'expected NAME BASE_URL SECONDS PID|- LOG' unless log

  alive = pid == '-' ? -> { false } : Ops::App.same_process(Integer(pid))
  url = base_url + TimestampApp::Readiness::READY_PATH
  TimestampApp::Readiness.new.wait(url, timeout: Integer(seconds), alive:, name:)
rescue TimestampApp::Readiness::NotReady => e
  Ops.fail!("#{e.message}; log: #{log}")
end

# Prints, one line per BASE_URL in order, ready, live (up, but its database is not ready) or
# down (neither /health/ready nor /health/live answers 200). The instances are asked at once.
Ops.command('app', 'health', 'BASE_URL...') do |*base_urls|
  raise ArgumentError, 'expected BASE_URL...' if base_urls.empty?

  readiness = TimestampApp::Readiness.new
  base_urls.map { |url| Thread.new { readiness.health(url) } }.each { |answer| puts answer.value }
end
