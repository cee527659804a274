# frozen_string_literal: true

#
# Cookbook:: timestamp_backup
# Recipe:: default
#
# The backup host of the timestamp service: the binlog archiver (a service), full backups on
# a timer (a clone of a secondary, checked, compressed, encrypted to the operators' age
# recipient), and the programs the restore runbook uses (see the README).
bk = node['timestamp_backup']
units = bk['systemd']['unit_dir']

raise 'timestamp_backup.age_recipient is not set: backups would not be encrypted' if bk['age_recipient'].to_s.empty?
raise 'no host with role vault in the environment: backups would have no second copy' unless bk['vault']['address']

include_recipe 'timestamp_common::mysql_repository' if node['timestamp_db']['install_from_vendor_repo']

package bk['packages']

[bk['store_dir'], bk['archive_dir'], bk['work_dir'], bk['log_dir'], bk['metrics_dir']].each do |dir|
  directory dir do
    mode '0750'
    recursive true
  end
end

directory bk['config_dir'] do
  mode '0700'
end

template ::File.join(bk['config_dir'], 'recipient.cnf') do
  source 'recipient.cnf.erb'
  mode '0644'
end

# The programs run the cookbooks' library classes with Chef's own Ruby.
timestamp_program 'timestamp-backup' do
  cookbooks %w(timestamp_common timestamp_db timestamp_backup)
  lib_root node['timestamp']['programs']['lib_root']
  notifies :restart, 'service[timestamp-archiver]'
end

# The operators' command: list, and the member-side steps of a restore (see the README).
cookbook_file ::File.join(node['timestamp']['programs']['lib_root'], 'timestamp_backup_tool.rb') do
  source 'timestamp_backup_tool.rb'
  mode '0644'
end

file '/usr/local/sbin/timestamp-backup' do
  content "#!/bin/sh\nexec #{node['timestamp']['programs']['ruby']} " \
          "#{::File.join(node['timestamp']['programs']['lib_root'], 'timestamp_backup_tool.rb')} " \
          "#{::File.join(bk['config_dir'], 'backup.json')} \"$@\"\n"
  mode '0755'
end

{ 'backup' => 'TimestampBackup::CloneBackup', 'archiver' => 'TimestampBackup::Archiver' }.each do |name, program|
  template ::File.join(bk['config_dir'], "#{name}.json") do
    source 'timestamp-backup.json.erb'
    variables(name:, program:, backup_user: 'ts_backup', backup_password: timestamp_secret('mysql_backup_password'),
              vault_password: timestamp_secret('backup_vault_password'))
    mode '0600'
    sensitive true
    notifies :restart, 'service[timestamp-archiver]' if name == 'archiver'
  end
end

%w(timestamp-archiver.service timestamp-backup.service timestamp-backup.timer).each do |unit|
  template ::File.join(units, unit) do
    source "#{unit}.erb"
    mode '0644'
    notifies :run, 'execute[timestamp_backup daemon-reload]', :immediately
  end
end

execute 'timestamp_backup daemon-reload' do
  command 'systemctl daemon-reload'
  action :nothing
end

service 'timestamp-archiver' do
  action %i(enable start)
end

service 'timestamp-backup.timer' do
  action %i(enable start)
end

# The cluster is restorable from its first minutes, not from the timer's first elapse.
execute 'timestamp-backup: the first backup' do
  command 'systemctl start timestamp-backup.service'
  not_if { ::Dir.glob(::File.join(bk['store_dir'], 'backups', '*', 'manifest.json')).any? }
end
