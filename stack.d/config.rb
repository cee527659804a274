#!/usr/bin/env ruby
# frozen_string_literal: true

# The local cluster's settings as Chef would give them: environment `local`
# (chef/environments/local.json: hosts, zones, addresses, the cluster's identity) merged
# with the cookbooks' attributes (ports, timeouts) by stack.d/local_chef.rb. Nothing here
# holds a value of its own.
#
#   config.rb json     the merged view, for the fault suite, the benchmark and the Java tests
#   config.rb shell    the same as bash assignments, for ./stack
require 'json'
require 'shellwords'
require_relative 'local_chef'

CHEF_DIR = File.expand_path('../chef', __dir__)
RECIPES = %w(timestamp_db timestamp_router timestamp_app timestamp_lb timestamp_backup).map { |c| "recipe[#{c}]" }
# bash names a host's kind by what it runs
KINDS = { 'db' => 'mysql', 'app' => 'app', 'lb' => 'lb', 'backup' => 'backup', 'vault' => 'vault' }.freeze

def view
  attrs = LocalChef::Node.new(CHEF_DIR, { 'chef_environment' => 'local', 'run_list' => RECIPES }).attributes
  t = attrs['timestamp']
  {
    'environment' => 'local',
    'hosts' => t['hosts'].map do |name, h|
      { 'name' => name, 'kind' => KINDS.fetch(Array(h['roles']).first), 'zone' => h['zone'], 'address' => h['address'] }
    end,
    'network' => t['local_network'], 'ports' => t['ports'], 'cluster' => t['cluster'],
    'secrets' => TimestampCommon::Secrets::NAMES, 'mysql_version' => t['mysql']['version'],
    'database' => attrs['timestamp_db'].slice('port', 'mysqlx_port', 'members', 'routers'),
    'router' => attrs['timestamp_router'].slice('rw_port', 'ro_port'),
    'app' => attrs['timestamp_app'].slice('http_port').merge('grid_port' => attrs['timestamp_app']['data_grid']['port'])
  }
end

def shell(config)
  vars = {
    'DB_PORT' => config['database']['port'], 'DB_XPORT' => config['database']['mysqlx_port'],
    'DB_GR_PORT' => config['ports']['group_replication'],
    'ROUTER_RW_PORT' => config['router']['rw_port'], 'ROUTER_RO_PORT' => config['router']['ro_port'],
    'APP_HTTP_PORT' => config['app']['http_port'], 'APP_GRID_PORT' => config['app']['grid_port'],
    'EDGE_HTTP_PORT' => config['ports']['edge_http'], 'BACKUP_VAULT_PORT' => config['ports']['backup_vault'],
    'DB_CLUSTER_NAME' => config['cluster']['name'], 'DB_CLUSTER_ID' => config['cluster']['id'],
    'DB_GROUP_NAME' => config['cluster']['group_name'],
    'BRIDGE' => config['network']['bridge'], 'BRIDGE_ADDRESS' => config['network']['address'],
    'NET_PREFIX' => config['network']['prefix'], 'MYSQL_TESTED_VERSION' => config['mysql_version']
  }
  lines = vars.map { |name, value| "#{name}=#{value.to_s.shellescape}" }
  # HOSTS: the hosts that are network namespaces; the edge runs in the machine's own
  edge, hosts = config['hosts'].partition { |h| h['kind'] == 'lb' }
  lines << "EDGE_ADDRESS=#{edge.first['address'].shellescape}"
  lines << "HOSTS=(#{hosts.map { |h| h.values_at('name', 'kind', 'zone', 'address').join(' ').shellescape }.join(' ')})"
  lines << "ROUTER_IDS=(#{config['database']['routers'].map { |r| "#{r['name']}:#{r['id']}" }.join(' ')})"
  lines << "SECRET_NAMES=(#{config['secrets'].map(&:upcase).join(' ')})"
  lines.join("\n")
end

case ARGV.first
when 'json' then puts JSON.pretty_generate(view)
when 'shell' then puts shell(view)
else abort 'usage: config.rb json|shell'
end
