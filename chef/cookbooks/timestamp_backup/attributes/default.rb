# frozen_string_literal: true

# Defaults for the backup host of the timestamp service (role `backup`): full backups by
# clone from a secondary on a timer, the streaming binlog archive, and the restore tool.
# The local cluster overrides the paths to its state directory the same way a node would.

bk = 'timestamp_backup'

# ---- where it keeps what it keeps --------------------------------------------------------
default[bk]['store_dir'] = '/var/lib/timestamp-backup/store' # backups/ID/{manifest.json,data.tar.zst.age}
default[bk]['archive_dir'] = '/var/lib/timestamp-backup/archive' # the binlog archive (timelines, sessions)
default[bk]['work_dir'] = '/var/lib/timestamp-backup/work' # the short-lived mysqld, staging, plans
default[bk]['log_dir'] = '/var/log/timestamp-backup'
default[bk]['config_dir'] = '/etc/timestamp-backup' # the programs' settings (0600: an account's password)
# node_exporter's textfile collector reads the backup's and the archive's numbers here
default[bk]['metrics_dir'] = '/var/lib/prometheus/node-exporter'
# The application's schema: a backup counts its tables' rows when it checks the copy.
default[bk]['schema'] = 'timestamps'

# ---- encryption: age (https://age-encryption.org), public-key ----------------------------
# The backup host holds only the recipient (public key): it can write backups, never read
# them. The identity (private key) is kept by the operators, off every node (see the README),
# and handed to the restore tool when needed. Per environment; nil = no backup can be taken.
default[bk]['age_recipient'] = nil
default[bk]['age'] = '/usr/bin/age'
default[bk]['zstd'] = '/usr/bin/zstd'

# ---- schedule and retention --------------------------------------------------------------------
# A full backup every 6 hours (systemd OnCalendar), whatever the archive's size: a restore
# replays at most 6 hours of transactions after the newest backup (see the README's RTO).
default[bk]['schedule'] = '*-*-* 00/6:00:00'
default[bk]['randomized_delay_s'] = 300
# Backups kept (the oldest one bounds how far back a restore can go: 7 × 6 h ≈ 42 h) ...
default[bk]['keep'] = 7
# ... and the members keep their binary logs for 7 days (timestamp_db's
# binlog_expire_logs_seconds), far longer than one backup interval, so the archiver can always
# catch up from some member after its own outage.

# ---- the archiver ------------------------------------------------------------------------------
default[bk]['archiver']['interval_s'] = 1
# ... and asks every member for its view of the group this often (a session moves to another
# member at once when its member dies; within this long when it is cut off or hangs).
default[bk]['archiver']['view_interval_s'] = 5
# Its replica id towards the members (unique among every server and replica of the group);
# nil: 1000 + the last number of this host's address.
default[bk]['archiver']['server_id'] = nil

# ---- the backup host's own mysqld (run only during a backup, as the clone's recipient) ---------
default[bk]['mysqld'] = '/usr/sbin/mysqld'
default[bk]['mysqlbinlog'] = '/usr/bin/mysqlbinlog'
default[bk]['mysql_client'] = '/usr/bin/mysql'
default[bk]['mysql_user'] = 'mysql'
default[bk]['basedir'] = '/usr'
default[bk]['plugin_dir'] = '/usr/lib/mysql/plugin'
default[bk]['lc_messages_dir'] = '/usr/share/mysql'
default[bk]['character_sets_dir'] = '/usr/share/mysql/charsets'
default[bk]['packages'] = %w(mysql-server-core age zstd rsync)

# ---- the vault: the second copy, on a host of another zone (role vault, recipe ::vault) -------
# An rsync daemon that accepts the backup host only, with its own account; the backup job
# mirrors the backups after each run and the archiver pushes the archive every interval, so
# losing the backup host's zone loses at most that interval of the archive.
default[bk]['vault']['dir'] = '/var/lib/timestamp-vault'
default[bk]['vault']['module'] = 'timestamp-backup'
default[bk]['vault']['user'] = 'ts_backup'
default[bk]['vault']['port'] = node['timestamp']['ports']['backup_vault']
default[bk]['vault']['copy_interval_s'] = 60
default[bk]['vault']['timeout_s'] = 600
default[bk]['rsync'] = '/usr/bin/rsync'

# ---- units ------------------------------------------------------------------------------------
default[bk]['systemd']['unit_dir'] = '/etc/systemd/system'
default[bk]['systemd']['archiver_restart_sec'] = 2

# ---- derived from the environment's hosts ----------------------------------------------------------
topology = TimestampCommon::Topology.new(node['timestamp']['hosts'])
this_host = topology.host(node['timestamp']['host'])
default[bk]['archiver']['server_id'] = 1000 + TimestampCommon::Topology.server_id(this_host['address']) if this_host
# The vault listens on its own address only (every address on a host outside an environment).
default[bk]['vault']['listen_address'] = this_host ? this_host['address'] : '0.0.0.0'
default[bk]['members'] = topology.of('db').map { |name, host| { 'name' => name, 'address' => host['address'] } }
# The vault the backup host copies to, and the backup hosts a vault accepts.
vault = topology.of('vault').first
default[bk]['vault']['address'] = vault && vault[1]['address']
default[bk]['vault']['clients'] = topology.of('backup').map { |_, host| host['address'] }
