# frozen_string_literal: true

#
# Cookbook:: timestamp_lb
# Recipe:: default
#
# The edge: nginx in front of every Payara Micro instance, with passive health checks,
# failover to the next instance and JSON answers for the errors nginx makes itself.
lb = node['timestamp_lb']

package lb['package']

# The app instances: every app node of this environment (Chef search), else the list the
# environment's hosts give. The upstream template orders them and marks those named in
# `drained` down (TimestampLb::Upstreams.list, as on the local cluster).
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
# instance in rotation but the drained ones, so nginx serves at once): a program that
# follows the instances' readiness is to own it from then on.
template lb['gate']['upstream_file'] do
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

service 'nginx' do
  action %i(enable start)
end
