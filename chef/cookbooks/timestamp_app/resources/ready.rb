# frozen_string_literal: true

# Readiness-aware restart of the timestamp service: :restart restarts the unit and waits
# until MicroProfile Health's /health/ready answers 200; :wait only waits.
provides :timestamp_app_ready
unified_mode true

property :service_name, String, name_property: true
property :url, String, default: 'http://127.0.0.1:8080/health/ready'
property :timeout, Integer, default: 240

action_class do
  require 'net/http'

  def ready?
    Net::HTTP.get_response(URI(new_resource.url)).code == '200'
  rescue StandardError
    false
  end

  def wait_ready
    deadline = Time.now + new_resource.timeout
    until ready?
      if Time.now > deadline
        raise "#{new_resource.service_name} is not ready after #{new_resource.timeout} s (#{new_resource.url})"
      end

      sleep 2
    end
  end
end

action :restart do
  converge_by "restart #{new_resource.service_name} and wait until it is ready" do
    shell_out!('systemctl', 'restart', new_resource.service_name)
    wait_ready
  end
end

action :wait do
  wait_ready unless ready?
end
