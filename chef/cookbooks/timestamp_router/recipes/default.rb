# frozen_string_literal: true

#
# Cookbook:: timestamp_router
# Recipe:: default
#
# MySQL Router on an app host: RW port to the Group Replication primary, RO port to the
# secondaries, from the InnoDB Cluster metadata that timestamp_db writes.
r = node['timestamp_router']

include_recipe 'timestamp_common::mysql_repository' if r['install_from_vendor_repo']

package r['packages']

# The package's own service would run the package's configuration: ours replaces it.
service 'mysqlrouter' do
  action %i(stop disable)
  only_if do
    ::File.exist?('/lib/systemd/system/mysqlrouter.service') || ::File.exist?('/usr/lib/systemd/system/mysqlrouter.service')
  end
end

user r['user'] do
  system true
  shell '/usr/sbin/nologin'
  home r['data_folder']
end

[::File.dirname(r['config_file']), r['data_folder'], r['logging_folder'],
 ::File.dirname(r['master_key_reader'])].uniq.each do |dir|
  directory dir do
    owner r['user']
    mode '0750'
    recursive true
  end
end

template r['config_file'] do
  source 'mysqlrouter.conf.erb'
  owner r['user']
  mode '0640'
  notifies :restart, "service[#{r['service']}]"
end

# Router rewrites its dynamic state while it runs: written only when missing.
template r['dynamic_state'] do
  source 'state.json.erb'
  owner r['user']
  mode '0640'
  action :create_if_missing
end

file r['master_key_file'] do
  content "#{timestamp_secret('router_keyring_master_key')}\n"
  owner r['user']
  mode '0400'
  sensitive true
end

template r['master_key_reader'] do
  source 'master-key-reader.erb'
  owner 'root'
  mode '0755'
end

timestamp_router_keyring r['keyring_path'] do
  mysqlrouter_keyring r['mysqlrouter_keyring']
  master_key_reader r['master_key_reader']
  account r['metadata_user']
  password timestamp_secret('mysql_router_password')
  owner r['user']
  notifies :restart, "service[#{r['service']}]"
end

template r['unit_file'] do
  source 'timestamp-router.service.erb'
  mode '0644'
  notifies :run, 'execute[timestamp-router daemon-reload]', :immediately
  notifies :restart, "service[#{r['service']}]"
end

execute 'timestamp-router daemon-reload' do
  command 'systemctl daemon-reload'
  action :nothing
end

service r['service'] do
  action %i(enable start)
end
