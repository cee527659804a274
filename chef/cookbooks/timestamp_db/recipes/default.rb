# frozen_string_literal: true

#
# Cookbook:: timestamp_db
# Recipe:: default
#
# A MySQL Group Replication member of the timestamp service: vendor packages, my.cnf for
# this member's zone, its systemd unit, its keeper (which joins it to the group, or
# bootstraps the group from the most advanced member, after every restart), the InnoDB
# Cluster metadata and the least-privilege accounts (written by the primary).
db = node['timestamp_db']

include_recipe 'timestamp_common::mysql_repository' if db['install_from_vendor_repo']

package db['packages']

[::File.dirname(db['socket']), ::File.dirname(db['log_error']), db['secure_file_priv']].uniq.each do |dir|
  directory dir do
    owner db['user']
    mode '0750'
    recursive true
  end
end

# The member's own unit (restart policy, MYSQLD_PARENT_PID for clone restarts) before the
# service first starts.
template db['unit_file'] do
  source 'mysqld.service.erb'
  mode '0644'
  notifies :run, 'execute[timestamp_db daemon-reload]', :immediately
end

execute 'timestamp_db daemon-reload' do
  command 'systemctl daemon-reload'
  action :nothing
end

timestamp_db_server db['conf_file'] do
  service_name db['service']
  mysqld db['mysqld']
  my_print_defaults db['my_print_defaults']
  mysql_client db['mysql_client']
  datadir db['datadir']
  socket db['socket']
  user db['user']
  root_client_cnf db['root_client_cnf']
  root_password timestamp_secret('mysql_root_password')
  probe_password timestamp_secret('mysql_probe_password')
end

directory db['sql_dir'] do
  recursive true
end

%w(metadata-schema.sql accounts.sql metadata-cluster.sql metadata-instance.sql metadata-router.sql).each do |sql|
  cookbook_file ::File.join(db['sql_dir'], sql) do
    source sql
    mode '0644'
  end
end

gr = db['group_replication']
keeper = db['keeper']

# The keeper: rejoins this member after every restart or expel, and bootstraps the group
# after a full outage (TimestampDb::Keeper, run by timestamp_common's launcher).
timestamp_program keeper['service'] do
  cookbooks %w(timestamp_common timestamp_db)
  lib_root node['timestamp']['programs']['lib_root']
  notifies :restart, "service[#{keeper['service']}]"
end

template keeper['config_file'] do
  source 'timestamp-db-keeper.json.erb'
  variables(replication_user: 'ts_repl', replication_password: timestamp_secret('mysql_replication_password'),
            probe_user: 'ts_probe', probe_password: timestamp_secret('mysql_probe_password'))
  mode '0600'
  sensitive true
  notifies :restart, "service[#{keeper['service']}]"
end

template keeper['unit_file'] do
  source 'timestamp-db-keeper.service.erb'
  mode '0644'
  notifies :run, 'execute[timestamp_db daemon-reload]', :immediately
  notifies :restart, "service[#{keeper['service']}]"
end

service keeper['service'] do
  action %i(enable start)
end

# The run ends once the keeper has this member ONLINE.
timestamp_db_group_member db['report_host'] do
  port db['port']
  members db['members']
  mysql_client db['mysql_client']
  root_client_cnf db['root_client_cnf']
  probe_password timestamp_secret('mysql_probe_password')
  online_timeout db['online_timeout']
end

timestamp_db_cluster_metadata db['cluster_name'] do
  cluster_id db['cluster_id']
  group_name gr['group_name']
  sql_dir db['sql_dir']
  port db['port']
  xport db['mysqlx_port']
  gr_port gr['local_port']
  members db['members']
  routers db['routers']
  mysql_client db['mysql_client']
  root_client_cnf db['root_client_cnf']
  passwords(
    'replication_password' => timestamp_secret('mysql_replication_password'),
    'router_password' => timestamp_secret('mysql_router_password'),
    'probe_password' => timestamp_secret('mysql_probe_password'),
    'backup_password' => timestamp_secret('mysql_backup_password'),
    'migrator_password' => timestamp_secret('db_migration_password'),
    'app_password' => timestamp_secret('db_password')
  )
end
