# frozen_string_literal: true

#
# Cookbook:: timestamp_db
# Recipe:: default
#
# A MySQL Group Replication member of the timestamp service: vendor packages, my.cnf for
# this member's zone, the group (joined, or bootstrapped from the most advanced member), the
# InnoDB Cluster metadata and the least-privilege accounts (written by the primary).
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

timestamp_db_group_member db['report_host'] do
  port db['port']
  members db['members']
  mysql_client db['mysql_client']
  root_client_cnf db['root_client_cnf']
  replication_password timestamp_secret('mysql_replication_password')
  probe_password timestamp_secret('mysql_router_password')
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
    'migrator_password' => timestamp_secret('db_migration_password'),
    'app_password' => timestamp_secret('db_password')
  )
end
