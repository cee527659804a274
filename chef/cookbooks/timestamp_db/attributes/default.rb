# Defaults for a Group Replication member on a Debian-family host with the
# distribution's MySQL packages. A node (role, environment or node JSON) sets the
# per-member values marked "per node"; the local stack overrides the paths to its
# unpacked MySQL prefix and state directory the same way.

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
default['timestamp_db']['port'] = 3306
default['timestamp_db']['mysqlx_port'] = 33060

# ---- per node: identity --------------------------------------------------------------
default['timestamp_db']['server_id'] = nil       # unique integer per member
default['timestamp_db']['report_host'] = nil     # address other members and Router use

# ---- resources (production sizing; the local stack shrinks them) ------------------
default['timestamp_db']['innodb_buffer_pool_size'] = '1G'
default['timestamp_db']['innodb_redo_log_capacity'] = '512M'
default['timestamp_db']['max_connections'] = 500

# ---- Group Replication ------------------------------------------------------------------
# One group per environment: override group_name (a UUID) per environment.
default['timestamp_db']['group_replication']['group_name'] = '7d3e1b52-5c2a-4f61-9a0e-2f4c8b1d6e90'
default['timestamp_db']['group_replication']['local_port'] = 33061
default['timestamp_db']['group_replication']['seeds'] = []      # per node: other members' host:local_port
default['timestamp_db']['group_replication']['ip_allowlist'] = 'AUTOMATIC'
# Commit order guarantee after a failover: a new primary admits transactions only once it
# has applied everything the old primary committed, so a retried request (same
# idempotency key) always finds the row stored by the first attempt.
default['timestamp_db']['group_replication']['consistency'] = 'BEFORE_ON_PRIMARY_FAILOVER'
# Expel a member as soon as the 5 s failure detection suspects it (failover 22 s -> ~7 s).
# Cost: a member stalled for more than 5 s (GC, CPU starvation) is expelled and rejoins.
default['timestamp_db']['group_replication']['member_expel_timeout'] = 0
# A member that lost the majority (its zone cut off) gives up after this many seconds,
# so its clients get errors instead of hanging, then rejoins by itself.
default['timestamp_db']['group_replication']['unreachable_majority_timeout'] = 10
default['timestamp_db']['group_replication']['autorejoin_tries'] = 3
# An expelled member refuses client connections: nothing reads stale data from it.
default['timestamp_db']['group_replication']['exit_state_action'] = 'OFFLINE_MODE'
default['timestamp_db']['group_replication']['ssl_mode'] = 'REQUIRED'

# ---- InnoDB Cluster metadata (what MySQL Router reads; SQL in files/default) -------
default['timestamp_db']['cluster_name'] = 'timestamps'
default['timestamp_db']['cluster_id'] = 'c0a5e7b4-31d9-4b8e-8e5f-6a1d2c3b4a50'
# Routers registered in the metadata, per environment: [{ 'id' => 1, 'name' => 'app-a', 'address' => '10.0.0.21' }, ...]
default['timestamp_db']['routers'] = []
