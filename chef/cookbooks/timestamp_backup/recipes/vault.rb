# frozen_string_literal: true

#
# Cookbook:: timestamp_backup
# Recipe:: vault
#
# The vault: a host in another zone than the backup host that keeps the second copy of the
# backups and of the binlog archive (an rsync daemon that accepts the backup host only).
bk = node['timestamp_backup']
vault = bk['vault']

package 'rsync'

[vault['dir'], bk['log_dir']].each do |dir|
  directory dir do
    mode '0750'
    recursive true
  end
end

directory bk['config_dir'] do
  mode '0700'
end

template ::File.join(bk['config_dir'], 'rsyncd.conf') do
  source 'rsyncd.conf.erb'
  mode '0644'
  notifies :restart, 'service[timestamp-vault]'
end

template ::File.join(bk['config_dir'], 'rsyncd.secrets') do
  source 'rsyncd.secrets.erb'
  variables(password: timestamp_secret('backup_vault_password'))
  mode '0600' # rsync's strict modes refuse anything else
  sensitive true
end

template ::File.join(bk['systemd']['unit_dir'], 'timestamp-vault.service') do
  source 'timestamp-vault.service.erb'
  mode '0644'
  notifies :run, 'execute[timestamp_backup vault daemon-reload]', :immediately
  notifies :restart, 'service[timestamp-vault]'
end

execute 'timestamp_backup vault daemon-reload' do
  command 'systemctl daemon-reload'
  action :nothing
end

service 'timestamp-vault' do
  action %i(enable start)
end
