# frozen_string_literal: true

# nginx's own files on a load balancer host.
default['timestamp_lb']['conf_dir'] = '/etc/nginx'
default['timestamp_lb']['run_dir'] = '/run'
default['timestamp_lb']['log_dir'] = '/var/log/nginx'
default['timestamp_lb']['user'] = 'www-data'
default['timestamp_lb']['worker_processes'] = 'auto'

# Where clients reach the service.
default['timestamp_lb']['listen'] = '80'
default['timestamp_lb']['client_max_body_size'] = '16k'

# The app instances, normally found by Chef search for nodes with the app role; this list
# is the fallback for chef-solo / chef-zero. Each: name, zone and address:port.
default['timestamp_lb']['upstreams'] = [
  { 'name' => 'app-a', 'zone' => 'a', 'address' => '127.0.0.1:8080' },
]

# Passive health checks: an instance that fails max_fails times is skipped for fail_timeout.
default['timestamp_lb']['max_fails'] = 1
default['timestamp_lb']['fail_timeout'] = '5s'
default['timestamp_lb']['connect_timeout'] = '1s'
default['timestamp_lb']['read_timeout'] = '30s'
default['timestamp_lb']['next_upstream_tries'] = 3
default['timestamp_lb']['next_upstream_timeout'] = '15s'
