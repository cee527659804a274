# frozen_string_literal: true

# Lists are empty here on purpose: Chef merges arrays of one precedence level (these files,
# environments, roles), so a default item would leak into every node's list. Role
# timestamp_one_host holds the one-host lists; an environment holds a cluster's.

# Where the service lives on an app host.
default['timestamp_app']['install_dir'] = '/opt/timestamp-service'
default['timestamp_app']['config_dir'] = '/etc/timestamp-service'
default['timestamp_app']['user'] = 'timestamp'
default['timestamp_app']['java'] = '/usr/bin/java'
default['timestamp_app']['payara_micro_jar'] = '/opt/timestamp-service/payara-micro.jar'
default['timestamp_app']['war'] = '/opt/timestamp-service/timestamp-service.war'
default['timestamp_app']['root_dir'] = '/var/lib/timestamp-service'

# This instance: its name (shown in every response) and its HTTP port.
default['timestamp_app']['instance'] = 'app-a'
default['timestamp_app']['http_port'] = node['timestamp']['ports']['app_http']
default['timestamp_app']['jvm_options'] = '-Xms256m -Xmx512m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError'
# On SIGTERM Payara Micro serves on for this long before it undeploys the application: the
# requests begun finish, new ones get a 503 that nginx retries on another instance. Keep it
# shorter than nginx's fail_timeout (5 s), which is when nginx tries a failed instance again.
default['timestamp_app']['shutdown_grace_ms'] = 3000

# Payara Data Grid (Hazelcast): the address this host joins from, and every app host of
# the cluster as address:port.
default['timestamp_app']['data_grid']['interface'] = '127.0.0.1'
default['timestamp_app']['data_grid']['port'] = node['timestamp']['ports']['data_grid']
default['timestamp_app']['data_grid']['members'] = [] # see the note on lists above

# The database is always reached through the MySQL Router on the same host (its
# read-write port). Connector/J's timeouts are set by the application's data source.
default['timestamp_app']['db']['url'] = "jdbc:mysql://127.0.0.1:#{node['timestamp']['ports']['router_rw']}/timestamps"
default['timestamp_app']['db']['user'] = 'ts_app'
default['timestamp_app']['db']['migration_user'] = 'ts_migrator'

# ---- installation (used by the recipe, not by the templates) -------------------------
default['timestamp_app']['java_package'] =
  node['platform_family'] == 'rhel' ? 'java-17-openjdk-headless' : 'openjdk-17-jre-headless'
# What `mvn package` builds, published where nodes fetch them: the WAR
# (target/timestamp-service.war) and the Payara Micro it was built and tested with
# (target/payara-micro.jar). The Payara Micro version is the build's (pom.xml,
# payara.micro.version) and nowhere else: a node runs the jar the tests ran.
default['timestamp_app']['payara_micro_url'] = nil
default['timestamp_app']['payara_micro_checksum'] = nil # sha256; set it to pin the download
default['timestamp_app']['war_url'] = nil
default['timestamp_app']['war_checksum'] = nil
default['timestamp_app']['service'] = 'timestamp-service'
default['timestamp_app']['unit_file'] = '/etc/systemd/system/timestamp-service.service'
# Restarted on failure (a crash, an OOM exit, a kill by its liveness watchdog) 2 s later.
# A start takes ~20 s, so a crash loop is 5 failures within 300 s: then the unit stays failed.
default['timestamp_app']['systemd']['restart_sec'] = 2
default['timestamp_app']['systemd']['start_limit_burst'] = 5
default['timestamp_app']['systemd']['start_limit_interval_sec'] = 300
# On SIGTERM the instance serves for shutdown_grace_ms, then undeploys: well within this.
default['timestamp_app']['systemd']['timeout_stop_sec'] = 30
# Readiness-aware restart: a restart returns once /health/ready answers 200, so a
# rolling chef-client run over the app hosts never takes the last ready instance away.
default['timestamp_app']['wait_ready'] = true
default['timestamp_app']['ready_timeout'] = 240
# The Data Grid member list comes from Chef search (nodes with this role in the same
# environment) when a Chef server is there; data_grid.members is the fallback.
default['timestamp_app']['search_role'] = 'timestamp_app'

# ---- liveness watchdog (TimestampApp::Liveness, libraries/liveness.rb) ------------------
# systemd restarts the instance when it exits, not when it hangs (SIGSTOP, a deadlock: the
# port still takes connections, nothing answers). The watchdog probes /health/live and
# kills the instance after `failures` consecutive failed probes; systemd starts it again.
# A probe of a hung instance lasts 2 × timeout_s (Net::HTTP retries the GET once), so a
# hang is ended at most failures × (interval_s + 2 × timeout_s) = 3 × (2 + 2 × 2) = 18 s
# after it begins.
# Probe often enough that a hang costs seconds, not minutes; a probe is one small GET.
default['timestamp_app']['liveness']['interval_s'] = 2
# /health/live does no I/O (LivenessCheck answers UP while the process runs): a live
# instance answers in milliseconds, 2 s covers a long GC pause.
default['timestamp_app']['liveness']['timeout_s'] = 2
# One missed probe is a hiccup (a GC pause, a dropped packet); three in a row (16 s to 18 s
# without an answer) is a hang.
default['timestamp_app']['liveness']['failures'] = 3
# Payara Micro takes ~20 s to start and answers 404 until the WAR is deployed: after the
# watchdog starts, after a restart it triggers, and after the instance was seen not
# listening, failed probes count only after this long (or after its first 200). The
# longest start measured on the 2-core CI machine under the fault suite's load, during a
# rolling restart, was 92 s (60 s was too short: the watchdog killed an instance that was
# about to finish deploying); six times the usual start.
default['timestamp_app']['liveness']['start_grace_s'] = 120
# What ends a hung instance: SIGKILL (a stopped or deadlocked JVM ignores SIGTERM's
# graceful shutdown); the unit's Restart=on-failure starts it again. An argv array: to
# replace it (the local cluster runs its supervisor's `s6-svc -k SERVICEDIR`), set it at
# normal or override precedence; at default precedence in an environment or a role Chef
# would merge the two lists (see the note on lists above).
default['timestamp_app']['liveness']['restart_command'] =
  ['systemctl', 'kill', '--signal=SIGKILL', "#{node['timestamp_app']['service']}.service"]
default['timestamp_app']['liveness']['service'] = 'timestamp-app-liveness'
default['timestamp_app']['liveness']['unit_file'] = '/etc/systemd/system/timestamp-app-liveness.service'
default['timestamp_app']['liveness']['config_file'] = File.join(node['timestamp_app']['config_dir'], 'liveness.json')

# ---- derived from the environment's hosts (node['timestamp']['hosts']) --------------------
topology = TimestampCommon::Topology.new(node['timestamp']['hosts'])
this_host = topology.host(node['timestamp']['host'])
if this_host
  default['timestamp_app']['instance'] = node['timestamp']['host']
  default['timestamp_app']['data_grid']['interface'] = this_host['address']
end
default['timestamp_app']['data_grid']['members'] = topology.endpoints('app', node['timestamp_app']['data_grid']['port']) \
  unless topology.empty?
