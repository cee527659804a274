# frozen_string_literal: true

# Readiness-aware restart of the timestamp service: :restart restarts the unit and waits
# until MicroProfile Health's /health/ready answers 200; :wait only waits. The waiting is
# TimestampApp::Readiness's (libraries/readiness.rb), which the local cluster runs too.
provides :timestamp_app_ready
unified_mode true

property :service_name, String, name_property: true
property :url, String, required: true, description: "the instance's /health/ready (port: node['timestamp_app']['http_port'])"
property :timeout, Integer, default: 240

action_class do
  def readiness
    @readiness ||= TimestampApp::Readiness.new
  end

  # Waits until ready; fails at once if systemd gave up on the unit (failed: its restarts
  # ran out), since waiting longer cannot help then.
  def wait_ready
    runner = TimestampCommon::CommandRunner.new
    alive = -> { !runner.run('systemctl', 'is-failed', '--quiet', new_resource.service_name, timeout: 10).ok? }
    readiness.wait(new_resource.url, timeout: new_resource.timeout, alive:, name: new_resource.service_name)
  end
end

action :restart do
  converge_by "restart #{new_resource.service_name} and wait until it is ready" do
    shell_out!('systemctl', 'restart', new_resource.service_name)
    wait_ready
  end
end

# One request decides; the waiting itself is a change, which why-run only reports.
action :wait do
  unless readiness.ready?(new_resource.url)
    converge_by("wait for #{new_resource.service_name} to be ready (#{new_resource.url})") { wait_ready }
  end
end
