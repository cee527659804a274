# frozen_string_literal: true

#
# Cookbook:: timestamp_lb
# Recipe:: default
#
# The edge: nginx in front of every Payara Micro instance, with passive health checks,
# failover to the next instance and JSON answers for the errors nginx makes itself, and the
# readiness gate that keeps in nginx's rotation only the instances that are ready.
lb = node['timestamp_lb']
gate = lb['gate']

package lb['package']

# The app instances: every app node of this environment (Chef search), else the list the
# environment's hosts give. The upstream template and the gate order them and mark those
# named in `drained` down (TimestampLb::Upstreams.list, as on the local cluster).
found = search(:node, "roles:#{lb['search_role']} AND chef_environment:#{node.chef_environment}")
node.override['timestamp_lb']['upstreams'] = TimestampLb::Upstreams.from_nodes(found, lb['app_port']) unless found.empty?

[::File.join(lb['conf_dir'], 'conf.d'), lb['log_dir']].each do |dir|
  directory dir do
    recursive true
  end
end

# Debian's default site would answer on port 80 too.
link ::File.join(lb['conf_dir'], 'sites-enabled', 'default') do
  action :delete
end

site = ::File.join(lb['conf_dir'], 'conf.d', 'timestamp-site.conf')
main = ::File.join(lb['conf_dir'], 'nginx.conf')

# The upstream block the site includes. Chef writes it only when it is missing (every
# instance in rotation but the drained ones: nginx serves at once, with or without the gate);
# from then on it is the gate's, which rewrites it from the instances' readiness.
template gate['upstream_file'] do
  source 'timestamp-upstreams.conf.erb'
  mode '0644'
  action :create_if_missing
  notifies :run, 'execute[nginx -t]', :immediately
end

template site do
  source 'timestamp-site.conf.erb'
  mode '0644'
  notifies :run, 'execute[nginx -t]', :immediately
end

template main do
  source 'nginx.conf.erb'
  mode '0644'
  notifies :run, 'execute[nginx -t]', :immediately
end

# Never reload into a configuration nginx rejects: the run fails here instead.
execute 'nginx -t' do
  command "nginx -q -t -c #{main}"
  action :nothing
  notifies :reload, 'service[nginx]'
end

# nginx's own unit (foreground master, graceful stop, restart on failure), before it starts.
template lb['unit_file'] do
  source 'nginx.service.erb'
  mode '0644'
  notifies :run, "execute[#{gate['service']} daemon-reload]", :immediately
end

service 'nginx' do
  action %i(enable start)
end

# The readiness gate: TimestampLb::Gate run by timestamp_common's launcher, restarted when its
# code, settings or unit change (new upstreams reach it through its settings).
timestamp_program gate['service'] do
  cookbooks %w(timestamp_common timestamp_lb)
  lib_root node['timestamp']['programs']['lib_root']
  notifies :restart, "service[#{gate['service']}]"
end

template gate['config_file'] do
  source 'gate.json.erb'
  mode '0644'
  notifies :restart, "service[#{gate['service']}]"
end

template gate['unit_file'] do
  source 'timestamp-lb-gate.service.erb'
  mode '0644'
  notifies :run, "execute[#{gate['service']} daemon-reload]", :immediately
  notifies :restart, "service[#{gate['service']}]"
end

execute "#{gate['service']} daemon-reload" do
  command 'systemctl daemon-reload'
  action :nothing
end

service gate['service'] do
  action %i(enable start)
end
