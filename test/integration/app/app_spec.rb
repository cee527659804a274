# frozen_string_literal: true

# An app host (role timestamp_app): MySQL Router routes RW to the primary and RO to the
# group, Payara Micro runs the service from the cookbook's unit and is ready.
require_relative '../settings'

mysql = ts_setting('TS_MYSQL', 'mysql')
router_conf = ts_setting('TS_ROUTER_CONF', '/etc/mysqlrouter/mysqlrouter.conf')
cluster_name = ts_setting('TS_CLUSTER_NAME', 'timestamps')
router_id = ts_setting('TS_ROUTER_ID', '1')
address = ts_setting('TS_APP_ADDRESS', '127.0.0.1')
config_dir = ts_setting('TS_APP_CONFIG_DIR', '/etc/timestamp-service')
instance = ts_setting('TS_APP_INSTANCE', 'app-a')
router_rw_port = ts_setting('TS_ROUTER_RW_PORT', '6446').to_i
router_ro_port = ts_setting('TS_ROUTER_RO_PORT', '6447').to_i
app_http_port = ts_setting('TS_APP_HTTP_PORT', '8080').to_i
app_grid_port = ts_setting('TS_APP_GRID_PORT', '6900').to_i

describe command(ts_running(ts_setting('TS_ROUTER_PATTERN', 'mysqlrouter --config /etc/mysqlrouter/mysqlrouter.conf'))) do
  its('exit_status') { should eq 0 }
end

[router_rw_port, router_ro_port].each do |p|
  describe port(p) do
    it { should be_listening }
  end
end

describe file(router_conf) do
  its('content') { should match(/^router_id = #{router_id}$/) }
  its('content') { should match(%r{^destinations = metadata-cache://#{cluster_name}/\?role=PRIMARY$}) }
  its('content') { should match(%r{^destinations = metadata-cache://#{cluster_name}/\?role=SECONDARY$}) }
end

# Through Router with the application's own account (its password from the node's secrets file).
as_app = lambda do |port, query|
  "set -a; . #{config_dir}/secrets.env; MYSQL_PWD=\"$DB_PASSWORD\" #{mysql} --no-defaults -h 127.0.0.1 -P #{port} " \
    "--protocol=TCP -uts_app --get-server-public-key --connect-timeout=3 -NB -e '#{query}'"
end

describe command(as_app.call(router_rw_port, 'SELECT @@super_read_only')) do
  its('stdout') { should eq "0\n" }
end

describe command(as_app.call(router_ro_port, 'SELECT 1')) do
  its('stdout') { should eq "1\n" }
end

describe command(ts_running(ts_setting('TS_APP_PATTERN', '-jar /opt/timestamp-service/payara-micro.jar'))) do
  its('exit_status') { should eq 0 }
end

[app_http_port, app_grid_port].each do |p|
  describe port(p) do
    it { should be_listening }
  end
end

describe file("#{config_dir}/timestamp-service.env") do
  its('content') { should match(/^APP_INSTANCE=#{instance}$/) }
  its('content') { should match(%r{^PAYARA_ARGS=".*--contextroot / .*--clustermode tcpip:\S+}) }
end

# Payara Micro starts from an empty root directory, so only the WAR given by --deploy runs.
describe file(ts_setting('TS_APP_UNIT', '/etc/systemd/system/timestamp-service.service')) do
  its('content') { should match(/^ExecStartPre=\S+find \S+ -mindepth 1 -delete$/) }
end

describe command("stat -c %a #{config_dir}/secrets.env") do
  its('stdout') { should eq "600\n" }
end

describe command("curl -fsS -m 5 http://#{address}:#{app_http_port}/health/ready") do
  its('exit_status') { should eq 0 }
  its('stdout') { should match(/"status":\s*"UP"/) }
end

# The instance's liveness watchdog runs (it kills the instance when /health/live hangs).
describe command(ts_running(ts_setting('TS_LIVENESS_PATTERN', 'timestamp_program.rb /etc/timestamp-service/liveness.json'))) do
  its('exit_status') { should eq 0 }
end
