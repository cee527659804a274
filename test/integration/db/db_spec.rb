# frozen_string_literal: true

# A Group Replication member (role timestamp_db): mysqld runs on the cookbook's my.cnf,
# is ONLINE in a group with exactly one PRIMARY, and the metadata and accounts exist.
require_relative '../settings'

mysql = ts_setting('TS_MYSQL', 'mysql --defaults-file=/root/.my.cnf')
my_cnf = ts_setting('TS_MY_CNF', '/etc/mysql/mysql.conf.d/zz-timestamp.cnf /etc/my.cnf.d/zz-timestamp.cnf')
address = ts_setting('TS_DB_ADDRESS', '127.0.0.1')
members = ts_setting('TS_DB_MEMBERS', '1')
group_name = ts_setting('TS_GROUP_NAME', '7d3e1b52-5c2a-4f61-9a0e-2f4c8b1d6e90')
cluster_name = ts_setting('TS_CLUSTER_NAME', 'timestamps')
db_port = ts_setting('TS_DB_PORT', '3306').to_i
mysqlx_port = ts_setting('TS_DB_XPORT', '33060').to_i
group_replication_port = ts_setting('TS_DB_GR_PORT', '33061').to_i

describe command(ts_running(ts_setting('TS_MYSQLD_PATTERN', '/usr/sbin/mysqld'))) do
  its('exit_status') { should eq 0 }
end

# The member's keeper runs (it rejoins the member after every restart) and reports it ONLINE;
# mysqld runs on the cookbook's unit, which lets a clone restart it.
describe command(ts_running(ts_setting('TS_KEEPER_PATTERN', 'timestamp_program.rb /etc/mysql/timestamp-db-keeper.json'))) do
  its('exit_status') { should eq 0 }
end

describe command("cat #{ts_setting('TS_KEEPER_STATE', '/run/timestamp-db-keeper/state.json')}") do
  its('stdout') { should match(/"state":"online"/) }
end

describe file(ts_setting('TS_MYSQLD_UNIT', '/etc/systemd/system/mysql.service')) do
  its('content') { should match(/^Environment=MYSQLD_PARENT_PID=1$/) }
  its('content') { should match(/^Restart=on-failure$/) }
end

describe file(ts_setting('TS_KEEPER_CONFIG', '/etc/mysql/timestamp-db-keeper.json')) do
  it { should be_mode 600 }
end

[db_port, mysqlx_port, group_replication_port].each do |p|
  describe port(p) do
    it { should be_listening }
  end
end

# The first of the candidate paths that exists (Debian/Ubuntu or Rocky).
describe command("for f in #{my_cnf}; do [ -f \"$f\" ] && exec cat \"$f\"; done; exit 1") do
  its('exit_status') { should eq 0 }
  its('stdout') { should match(/^group_replication_group_name\s*=\s*#{group_name}$/) }
  its('stdout') { should match(/^report_host\s*=\s*#{Regexp.escape(address)}$/) }
  its('stdout') { should match(/^group_replication_single_primary_mode\s*=\s*ON$/) }
  its('stdout') { should match(/^group_replication_start_on_boot\s*=\s*OFF$/) }
end

describe command(ts_sql(mysql, 'SELECT @@group_replication_group_name, @@report_host')) do
  its('stdout') { should eq "#{group_name}\t#{address}\n" }
end

members_sql = 'FROM performance_schema.replication_group_members WHERE CHANNEL_NAME = "group_replication_applier"'

describe command(ts_sql(mysql,
                        "SELECT MEMBER_STATE, MEMBER_ROLE, @@super_read_only #{members_sql} AND MEMBER_ID = @@server_uuid")) do
  its('exit_status') { should eq 0 }
  # ONLINE, and a secondary refuses writes
  its('stdout') { should match(/\AONLINE\t(PRIMARY\t0|SECONDARY\t1)\n\z/) }
end

describe command(ts_sql(mysql, "SELECT COUNT(*), SUM(MEMBER_ROLE = \"PRIMARY\") #{members_sql} AND MEMBER_STATE = \"ONLINE\"")) do
  its('stdout') { should eq "#{members}\t1\n" }
end

describe command(ts_sql(mysql, 'SELECT cluster_name FROM mysql_innodb_cluster_metadata.clusters')) do
  its('stdout') { should eq "#{cluster_name}\n" }
end

# This member is in the metadata with its current server UUID (else Router ignores it).
describe command(ts_sql(mysql, 'SELECT instance_name FROM mysql_innodb_cluster_metadata.instances ' \
                               'WHERE mysql_server_uuid = @@server_uuid')) do
  its('stdout') { should match(/\A\S+\n\z/) }
end

describe command(ts_sql(mysql, 'SHOW GRANTS FOR ts_app')) do
  its('stdout') { should match(/^GRANT SELECT, INSERT ON `timestamps`\.\* TO `ts_app`@`%`$/) }
end
