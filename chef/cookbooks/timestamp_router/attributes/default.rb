# frozen_string_literal: true

# Defaults for MySQL Router on an app host (Debian-family paths of the distribution's
# mysql-router package). A node sets the values marked "per node"; the local stack
# overrides paths to its unpacked prefix and state directory through node attributes.

# Lists are empty here on purpose: Chef merges arrays of one precedence level (these files,
# environments, roles), so a default item would leak into every node's list. Role
# timestamp_one_host holds the one-host lists; an environment holds a cluster's.

# ---- programs ---------------------------------------------------------------------
default['timestamp_router']['mysqlrouter'] = '/usr/bin/mysqlrouter'
default['timestamp_router']['plugin_folder'] = '/usr/lib/mysqlrouter/plugin'
default['timestamp_router']['user'] = 'mysqlrouter'

# ---- state ----------------------------------------------------------------------------
default['timestamp_router']['config_file'] = '/etc/mysqlrouter/mysqlrouter.conf'
default['timestamp_router']['data_folder'] = '/var/lib/mysqlrouter'
default['timestamp_router']['runtime_folder'] = '/run/mysqlrouter'
default['timestamp_router']['logging_folder'] = '/var/log/mysqlrouter'
default['timestamp_router']['log_file'] = 'mysqlrouter.log'
default['timestamp_router']['log_level'] = 'INFO'
default['timestamp_router']['dynamic_state'] = '/var/lib/mysqlrouter/state.json'
# The metadata account's password lives in Router's keyring, encrypted with a master key
# that the reader prints; the reader takes it from master_key_file, which the secret
# store provisions (mode 0400).
default['timestamp_router']['keyring_path'] = '/var/lib/mysqlrouter/keyring'
default['timestamp_router']['master_key_reader'] = '/usr/local/lib/mysqlrouter/master-key-reader'
default['timestamp_router']['master_key_file'] = '/etc/mysqlrouter/master.key'

# ---- the cluster -------------------------------------------------------------------
default['timestamp_router']['router_id'] = 1 # per node: its row in the metadata
default['timestamp_router']['cluster_name'] = node['timestamp']['cluster']['name']
default['timestamp_router']['group_name'] = node['timestamp']['cluster']['group_name']
default['timestamp_router']['metadata_user'] = 'router_meta'
# per environment: ['db-a:3306', ...] (see the note on lists above)
default['timestamp_router']['metadata_servers'] = []
# Metadata refresh period (s); GR notifications (X protocol) make changes visible sooner.
default['timestamp_router']['ttl'] = 0.5
default['timestamp_router']['use_gr_notifications'] = true

# ---- routes ------------------------------------------------------------------------------
default['timestamp_router']['bind_address'] = '0.0.0.0'
default['timestamp_router']['rw_port'] = node['timestamp']['ports']['router_rw']
default['timestamp_router']['ro_port'] = node['timestamp']['ports']['router_ro']
default['timestamp_router']['max_total_connections'] = 1024
# Seconds to wait for a server (metadata and routed connections) before trying the next.
default['timestamp_router']['connect_timeout'] = 2
# Seconds to wait for a metadata server's answer. The default (30) keeps Router asking a
# primary whose zone was cut off long after the group elected a new one; metadata queries
# are tiny, so a short wait moves Router to the next metadata server within the failover.
default['timestamp_router']['read_timeout'] = 2

# ---- installation and service (used by the recipe; the unit template reads them) -------
default['timestamp_router']['install_from_vendor_repo'] = true
default['timestamp_router']['packages'] =
  node['platform_family'] == 'rhel' ? %w(mysql-router-community) : %w(mysql-router)
default['timestamp_router']['mysqlrouter_keyring'] = '/usr/bin/mysqlrouter_keyring'
default['timestamp_router']['service'] = 'timestamp-router'
default['timestamp_router']['unit_file'] = '/etc/systemd/system/timestamp-router.service'
# Restarted on failure 2 s later (Router starts in well under a second and reads the
# metadata again); more than 5 failures within 60 s is a crash loop: the unit stays failed.
default['timestamp_router']['systemd']['restart_sec'] = 2
default['timestamp_router']['systemd']['start_limit_burst'] = 5
default['timestamp_router']['systemd']['start_limit_interval_sec'] = 60

# ---- derived from the environment's hosts (node['timestamp']['hosts']) --------------------
topology = TimestampCommon::Topology.new(node['timestamp']['hosts'])
unless topology.empty?
  default['timestamp_router']['metadata_servers'] = topology.endpoints('db', node['timestamp']['ports']['mysql'])
  # this host's row in the metadata: its position among the app hosts (timestamp_db's routers)
  position = topology.of('app').index { |name, _| name == node['timestamp']['host'] }
  default['timestamp_router']['router_id'] = position + 1 if position
end
