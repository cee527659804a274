# frozen_string_literal: true

# Lists are empty here on purpose: Chef merges arrays of one precedence level (these files,
# environments, roles), so a default item would leak into every node's list. Role
# timestamp_one_host holds the one-host lists; an environment holds a cluster's.

# nginx's own files on a load balancer host.
default['timestamp_lb']['conf_dir'] = '/etc/nginx'
default['timestamp_lb']['run_dir'] = '/run'
default['timestamp_lb']['log_dir'] = '/var/log/nginx'
# Maintenance fence (a database restore): while this file exists, every request is answered
# 503 with Retry-After and JSON, and no instance is asked; nginx looks at each request, no
# reload. The restore runbook creates and removes it.
default['timestamp_lb']['maintenance_file'] = '/var/lib/nginx/timestamp-maintenance'
default['timestamp_lb']['maintenance_retry_after_s'] = 30
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
# environment's hosts or Chef search supply them: the operator drains Chef knows. nginx keeps
# them as `down`; the readiness gate adds the names of its drains file (README).
default['timestamp_lb']['drained'] = []

# Passive health checks: an instance that fails max_fails times is skipped for fail_timeout.
default['timestamp_lb']['max_fails'] = 1
default['timestamp_lb']['fail_timeout'] = '5s'
# Idle connections each nginx worker keeps open to the instances.
default['timestamp_lb']['keepalive'] = 32

# The timeout chain, each layer waiting longer than the one behind it (see README):
# an app instance answers within 30 s (a 20 s retry budget plus one database attempt of at
# most 10 s), so nginx waits 35 s for it and gives up on the whole request after 45 s.
default['timestamp_lb']['connect_timeout'] = '1s'
default['timestamp_lb']['read_timeout'] = '35s'
default['timestamp_lb']['next_upstream_tries'] = 3
default['timestamp_lb']['next_upstream_timeout'] = '45s'

# ---- the readiness gate (timestamp-lb-gate, TimestampLb::Gate; see README) -------------
# nginx (open source) checks instances only passively; the gate asks each instance's
# MicroProfile Health readiness and keeps in rotation only those that are ready.
conf_dir = node['timestamp_lb']['conf_dir']
# Where an instance answers 200 once deployed and able to reach its database.
default['timestamp_lb']['gate']['ready_path'] = '/health/ready'
# One round of probes a second, each bounded by 1 s (a healthy instance answers in
# milliseconds; one that takes a second is no use to a client either).
default['timestamp_lb']['gate']['interval_s'] = 1
default['timestamp_lb']['gate']['timeout_s'] = 1
# Two ready answers in a row put an instance in rotation, two failures in a row take it out:
# an instance enters about 2 s after it is ready, a dead one leaves about 2 s after it stops
# (nginx's passive checks skip it meanwhile), and one lost probe moves nothing.
default['timestamp_lb']['gate']['rise'] = 2
default['timestamp_lb']['gate']['fall'] = 2
# Operator drains at run time: one instance name a line (missing: none). The gate honors
# these and the `drained` attribute above alike.
default['timestamp_lb']['gate']['drains_file'] = File.join(conf_dir, 'timestamp-drains')
# What the gate writes: the upstream block the site includes (outside conf.d/, which
# nginx.conf includes whole: nginx must read the block once) and its state (JSON).
default['timestamp_lb']['gate']['upstream_file'] = File.join(conf_dir, 'timestamp-upstreams.conf')
default['timestamp_lb']['gate']['state_file'] = File.join(node['timestamp_lb']['run_dir'], 'timestamp-lb-gate', 'state.json')
# Before every reload: never reload into a configuration nginx rejects. Command lines
# (split into an argv with Shellwords, never run by a shell) rather than arrays: arrays of one
# precedence level merge (see the top), so an environment's command would be appended to this one.
default['timestamp_lb']['gate']['test_command'] = "nginx -t -q -c #{File.join(conf_dir, 'nginx.conf').shellescape}"
default['timestamp_lb']['gate']['reload_command'] = 'systemctl reload nginx'
# The program itself: its settings (JSON) and its systemd unit.
default['timestamp_lb']['gate']['config_file'] = File.join(conf_dir, 'timestamp-lb-gate.json')
default['timestamp_lb']['gate']['service'] = 'timestamp-lb-gate'
default['timestamp_lb']['gate']['unit_file'] = '/etc/systemd/system/timestamp-lb-gate.service'

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

# ---- nginx's own unit (replacing the package's; the local cluster's supervisor runs the
# same file) -------------------------------------------------------------------------------
default['timestamp_lb']['nginx'] = '/usr/sbin/nginx'
default['timestamp_lb']['unit_file'] = '/etc/systemd/system/nginx.service'
# Restarted on failure 2 s later; more than 5 failures within 60 s is a crash loop.
default['timestamp_lb']['systemd']['restart_sec'] = 2
default['timestamp_lb']['systemd']['start_limit_burst'] = 5
default['timestamp_lb']['systemd']['start_limit_interval_sec'] = 60
# A stop is graceful (SIGQUIT): requests in flight finish, within nginx's longest timeout
# (next_upstream_timeout, 45 s) plus a margin; then the rest is killed.
default['timestamp_lb']['systemd']['timeout_stop_sec'] = 50
