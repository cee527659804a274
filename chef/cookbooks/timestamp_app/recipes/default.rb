# frozen_string_literal: true

#
# Cookbook:: timestamp_app
# Recipe:: default
#
# The timestamp service on Payara Micro: JDK, the Payara Micro jar, the WAR, the
# environment and systemd unit the local cluster runs with, one Data Grid member per host,
# and its liveness watchdog.
app = node['timestamp_app']

package app['java_package']

user app['user'] do
  system true
  shell '/usr/sbin/nologin'
  home app['root_dir']
end

[app['install_dir'], app['config_dir'], app['root_dir']].each do |dir|
  directory dir do
    owner dir == app['root_dir'] ? app['user'] : 'root'
    mode '0755'
    recursive true
  end
end

# The build's artifacts (see the attributes): without their URLs the files must already be
# in place (an image baked with them).
{ app['payara_micro_jar'] => %w(payara_micro_url payara_micro_checksum), app['war'] => %w(war_url war_checksum) }
  .each do |path, (url, checksum)|
    next unless app[url]

    remote_file path do
      source app[url]
      checksum app[checksum] if app[checksum]
      mode '0644'
      notifies :restart, "timestamp_app_ready[#{app['service']}]"
    end
  end

# The Data Grid: every app node of this environment (Chef search), else the attribute.
grid_members = app['data_grid']['members']
unless Chef::Config[:solo_legacy_mode]
  found = search(:node, "roles:#{app['search_role']} AND chef_environment:#{node.chef_environment}")
  grid_members = TimestampApp::Grid.members(found, app['data_grid']['port']) unless found.empty?
end
# Search results win over the environment's fallback list.
node.override['timestamp_app']['data_grid']['members'] = grid_members

template ::File.join(app['config_dir'], 'timestamp-service.env') do
  source 'timestamp-service.env.erb'
  mode '0644'
  notifies :restart, "timestamp_app_ready[#{app['service']}]"
end

file ::File.join(app['config_dir'], 'secrets.env') do
  content "DB_PASSWORD=#{timestamp_secret('db_password')}\nDB_MIGRATION_PASSWORD=#{timestamp_secret('db_migration_password')}\n"
  owner app['user']
  mode '0600'
  sensitive true
  notifies :restart, "timestamp_app_ready[#{app['service']}]"
end

template app['unit_file'] do
  source 'timestamp-service.service.erb'
  mode '0644'
  notifies :run, 'execute[timestamp-service daemon-reload]', :immediately
  notifies :restart, "timestamp_app_ready[#{app['service']}]"
end

execute 'timestamp-service daemon-reload' do
  command 'systemctl daemon-reload'
  action :nothing
end

service app['service'] do
  action %i(enable start)
end

# The liveness watchdog (TimestampApp::Liveness): systemd restarts the instance when it
# exits; the watchdog kills it when it hangs (see the README). Restarted when its code,
# config or unit changes.
live = app['liveness']

timestamp_program live['service'] do
  cookbooks %w(timestamp_common timestamp_app)
  lib_root node['timestamp']['programs']['lib_root']
  notifies :restart, "service[#{live['service']}]"
end

template live['config_file'] do
  source 'liveness.json.erb'
  mode '0644' # no secrets in it
  notifies :restart, "service[#{live['service']}]"
end

template live['unit_file'] do
  source 'timestamp-app-liveness.service.erb'
  mode '0644'
  notifies :run, 'execute[timestamp-service daemon-reload]', :immediately
  notifies :restart, "service[#{live['service']}]"
end

service live['service'] do
  action %i(enable start)
end

timestamp_app_ready app['service'] do
  url "http://127.0.0.1:#{app['http_port']}/health/ready"
  timeout app['ready_timeout']
  action app['wait_ready'] ? :wait : :nothing
end
