# frozen_string_literal: true

# Lists are empty here on purpose: Chef merges arrays of one precedence level (these files,
# environments, roles), so a default item would leak into every node's list. Role
# timestamp_one_host holds the one-host lists; an environment holds a cluster's.

# nginx's own files on a load balancer host.
default['timestamp_lb']['conf_dir'] = '/etc/nginx'
default['timestamp_lb']['run_dir'] = '/run'
default['timestamp_lb']['log_dir'] = '/var/log/nginx'
default['timestamp_lb']['user'] = 'www-data'
default['timestamp_lb']['worker_processes'] = 'auto'

# Where clients reach the service.
default['timestamp_lb']['listen'] = node['timestamp']['ports']['edge_http'].to_s
default['timestamp_lb']['client_max_body_size'] = '16k'

# The app instances, normally found by Chef search for nodes with the app role; this list
# is the fallback for chef-solo / chef-zero. Each: name, zone and address:port, and
# 'drained' => true to take it out of rotation (before a restart) without forgetting it.
default['timestamp_lb']['upstreams'] = [] # see the note on lists at the top
# Names of app instances to take out of rotation (before a restart, say), whether the
# environment's hosts or Chef search supply them: nginx keeps them as `down`.
default['timestamp_lb']['drained'] = []

# Passive health checks: an instance that fails max_fails times is skipped for fail_timeout.
default['timestamp_lb']['max_fails'] = 1
default['timestamp_lb']['fail_timeout'] = '5s'
# Idle connections each nginx worker keeps open to the instances.
default['timestamp_lb']['keepalive'] = 32
# The upstream block the site includes, in a file of its own (outside conf.d/, which
# nginx.conf includes whole: nginx must read the block once).
default['timestamp_lb']['gate']['upstream_file'] = File.join(node['timestamp_lb']['conf_dir'], 'timestamp-upstreams.conf')

# The timeout chain, each layer waiting longer than the one behind it (see README):
# an app instance answers within 30 s (a 20 s retry budget plus one database attempt of at
# most 10 s), so nginx waits 35 s for it and gives up on the whole request after 45 s.
default['timestamp_lb']['connect_timeout'] = '1s'
default['timestamp_lb']['read_timeout'] = '35s'
default['timestamp_lb']['next_upstream_tries'] = 3
default['timestamp_lb']['next_upstream_timeout'] = '45s'

# ---- installation (used by the recipe, not by the templates) -------------------------
default['timestamp_lb']['package'] = 'nginx'
# The upstreams come from Chef search (nodes with this role in the same environment,
# ordered by zone) when it finds any; the list above is the fallback.
default['timestamp_lb']['search_role'] = 'timestamp_app'
default['timestamp_lb']['app_port'] = node['timestamp']['ports']['app_http']

# ---- derived from the environment's hosts (node['timestamp']['hosts']) --------------------
topology = TimestampCommon::Topology.new(node['timestamp']['hosts'])
unless topology.empty?
  default['timestamp_lb']['upstreams'] = topology.of('app').map do |name, host|
    { 'name' => name, 'zone' => host['zone'], 'address' => "#{host['address']}:#{node['timestamp_lb']['app_port']}" }
  end
end
