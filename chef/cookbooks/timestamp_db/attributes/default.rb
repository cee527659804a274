# frozen_string_literal: true

# Defaults for a Group Replication member on a Debian-family host with the
# distribution's MySQL packages. A node (role, environment or node JSON) sets the
# per-member values marked "per node"; the local stack overrides the paths to its
# unpacked MySQL prefix and state directory the same way.

# Lists are empty here on purpose: Chef merges arrays of one precedence level (these files,
# environments, roles), so a default item would leak into every node's list. Role
# timestamp_one_host holds the one-host lists; an environment holds a cluster's.

# ---- programs and packaged files --------------------------------------------
default['timestamp_db']['mysqld'] = '/usr/sbin/mysqld'
default['timestamp_db']['basedir'] = '/usr'
default['timestamp_db']['plugin_dir'] = '/usr/lib/mysql/plugin'
default['timestamp_db']['lc_messages_dir'] = '/usr/share/mysql'
default['timestamp_db']['character_sets_dir'] = '/usr/share/mysql/charsets'

# ---- where this member keeps its state ----------------------------------------
default['timestamp_db']['user'] = 'mysql'
default['timestamp_db']['datadir'] = '/var/lib/mysql'
default['timestamp_db']['tmpdir'] = '/tmp'
default['timestamp_db']['secure_file_priv'] = '/var/lib/mysql-files'
default['timestamp_db']['socket'] = '/run/mysqld/mysqld.sock'
default['timestamp_db']['mysqlx_socket'] = '/run/mysqld/mysqlx.sock'
default['timestamp_db']['pid_file'] = '/run/mysqld/mysqld.pid'
default['timestamp_db']['log_error'] = '/var/log/mysql/error.log'

# ---- network --------------------------------------------------------------------
default['timestamp_db']['bind_address'] = '0.0.0.0'
default['timestamp_db']['port'] = node['timestamp']['ports']['mysql']
default['timestamp_db']['mysqlx_port'] = node['timestamp']['ports']['mysqlx']

# ---- per node: identity --------------------------------------------------------------
# The defaults make a one-member group on one host (kitchen's all-in-one suite); every
# member of a real cluster sets its own (see chef/nodes/*.json).
default['timestamp_db']['server_id'] = 1 # unique integer per member
default['timestamp_db']['report_host'] = '127.0.0.1' # address other members and Router use

# ---- resources (production sizing; the local stack shrinks them) ------------------
default['timestamp_db']['innodb_buffer_pool_size'] = '1G'
default['timestamp_db']['innodb_redo_log_capacity'] = '512M'
default['timestamp_db']['max_connections'] = 500
# Binary logs are kept 7 days: many backup intervals (timestamp_backup.schedule, 6 h), so the
# binlog archiver catches up from a member after any outage of its own shorter than that.
default['timestamp_db']['binlog_expire_logs_seconds'] = 7 * 24 * 3600

# ---- Group Replication ------------------------------------------------------------------
default['timestamp_db']['group_replication']['group_name'] = node['timestamp']['cluster']['group_name']
default['timestamp_db']['group_replication']['local_port'] = node['timestamp']['ports']['group_replication']
# per environment: every member's host:local_port (see the note on lists above)
default['timestamp_db']['group_replication']['seeds'] = []
default['timestamp_db']['group_replication']['ip_allowlist'] = 'AUTOMATIC'
# Commit order guarantee after a failover: a new primary admits transactions only once it
# has applied everything the old primary committed, so a retried request (same
# idempotency key) always finds the row stored by the first attempt.
default['timestamp_db']['group_replication']['consistency'] = 'BEFORE_ON_PRIMARY_FAILOVER'
# Expel a member as soon as the 5 s failure detection suspects it (failover 22 s -> ~7 s).
# Cost: a member stalled for more than 5 s (GC, CPU starvation) is expelled and rejoins.
default['timestamp_db']['group_replication']['member_expel_timeout'] = 0
# A member that lost the majority (its zone cut off) gives up after this many seconds,
# so its clients get errors instead of hanging; its keeper rejoins it once it can.
default['timestamp_db']['group_replication']['unreachable_majority_timeout'] = 10
# No auto-rejoin of Group Replication's own: the member's keeper (TimestampDb::Keeper) rejoins
# it after an expel, with the same checks as after a restart (errant transactions refused),
# and a member in the middle of an auto-rejoin would show ERROR to the keeper.
default['timestamp_db']['group_replication']['autorejoin_tries'] = 0
# An expelled member refuses client connections: nothing reads stale data from it.
default['timestamp_db']['group_replication']['exit_state_action'] = 'OFFLINE_MODE'
default['timestamp_db']['group_replication']['ssl_mode'] = 'REQUIRED'

# ---- InnoDB Cluster metadata (what MySQL Router reads; SQL in files/default) -------
default['timestamp_db']['cluster_name'] = node['timestamp']['cluster']['name']
default['timestamp_db']['cluster_id'] = node['timestamp']['cluster']['id']
# Routers registered in the metadata, per environment: [{ 'id' => 1, 'name' => 'app-a', 'address' => '10.0.0.21' }, ...]
default['timestamp_db']['routers'] = []

# ---- installation and service (used by the recipes, not by the templates) ----------
rhel = node['platform_family'] == 'rhel'
default['timestamp_db']['install_from_vendor_repo'] = true
default['timestamp_db']['packages'] = rhel ? %w(mysql-community-server) : %w(mysql-server)
default['timestamp_db']['service'] = rhel ? 'mysqld' : 'mysql'
default['timestamp_db']['unit_file'] = "/etc/systemd/system/#{node['timestamp_db']['service']}.service"
default['timestamp_db']['conf_file'] = rhel ? '/etc/my.cnf.d/zz-timestamp.cnf' : '/etc/mysql/mysql.conf.d/zz-timestamp.cnf'
default['timestamp_db']['mysql_client'] = '/usr/bin/mysql'
default['timestamp_db']['my_print_defaults'] = '/usr/bin/my_print_defaults'
# root's client options (socket login), mode 0600
default['timestamp_db']['root_client_cnf'] = '/root/.my.cnf'
# The cookbook's SQL files are copied here before they run.
default['timestamp_db']['sql_dir'] = '/usr/local/share/timestamp-db'
# Members of the cluster, per environment, in order: [{ 'name' => 'db-a', 'address' => '10.0.0.11' }, ...]
# (names label the metadata rows; addresses are the members' report_host). When no group
# exists, the member holding the most transactions bootstraps it; among equals, the first.
default['timestamp_db']['members'] = []
# How long a chef-client run waits for the keeper to bring this member ONLINE.
default['timestamp_db']['online_timeout'] = 300

# ---- the member's service: its own systemd unit (replacing the package's), which the local
# cluster's supervisor (s6) runs with the same settings --------------------------------------
# mysqld's own option file: nil reads the packaged /etc/mysql/my.cnf and its conf.d (where
# conf_file goes); the local cluster points it at the member's rendered my.cnf.
default['timestamp_db']['defaults_file'] = nil
# Restarted on failure (a crash, an OOM kill, exit 16 after a clone) 2 s later; more than 5
# failures within 60 s is a crash loop a restart will not cure: the service stays failed.
default['timestamp_db']['systemd']['restart_sec'] = 2
default['timestamp_db']['systemd']['start_limit_burst'] = 5
default['timestamp_db']['systemd']['start_limit_interval_sec'] = 60
# Crash recovery of a big redo log, and a clean shutdown that flushes the buffer pool.
default['timestamp_db']['systemd']['timeout_start_sec'] = 900
default['timestamp_db']['systemd']['timeout_stop_sec'] = 300

# ---- the keeper: rejoins this member (or bootstraps the group) by itself --------------------
default['timestamp_db']['keeper']['service'] = 'timestamp-db-keeper'
default['timestamp_db']['keeper']['unit_file'] = "/etc/systemd/system/#{node['timestamp_db']['keeper']['service']}.service"
default['timestamp_db']['keeper']['config_file'] = '/etc/mysql/timestamp-db-keeper.json' # 0600: passwords
default['timestamp_db']['keeper']['state_file'] = '/run/timestamp-db-keeper/state.json'
# How often it looks at its member: a restarted member rejoins within one interval of
# answering, an expelled one within one interval of turning ERROR.
default['timestamp_db']['keeper']['interval_s'] = 2
# After a full outage, how long a majority of members waits for the missing ones before
# bootstrapping from the most advanced of the majority (see the README: a missing member
# may hold acknowledged writes the others only had in memory).
default['timestamp_db']['keeper']['bootstrap_after_s'] = 300
# A join by clone copies the whole datadir: allow for it.
default['timestamp_db']['keeper']['join_timeout_s'] = 600

# ---- derived from the environment's hosts (node['timestamp']['hosts']) --------------------
topology = TimestampCommon::Topology.new(node['timestamp']['hosts'])
this_host = topology.host(node['timestamp']['host'])
if this_host
  default['timestamp_db']['server_id'] = TimestampCommon::Topology.server_id(this_host['address'])
  default['timestamp_db']['report_host'] = this_host['address']
end
unless topology.empty?
  default['timestamp_db']['members'] = topology.of('db').map { |name, host| { 'name' => name, 'address' => host['address'] } }
  default['timestamp_db']['group_replication']['seeds'] =
    topology.endpoints('db', node['timestamp_db']['group_replication']['local_port'])
  default['timestamp_db']['routers'] = topology.of('app').each_with_index.map do |(name, host), i|
    { 'id' => i + 1, 'name' => name, 'address' => host['address'] }
  end
end
