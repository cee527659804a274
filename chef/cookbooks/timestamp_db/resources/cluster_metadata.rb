# frozen_string_literal: true

# The InnoDB Cluster metadata MySQL Router reads, the least-privilege accounts and the
# application's database. A thin resource over TimestampDb::Metadata (libraries/metadata.rb),
# the class ./stack runs: it plans a change only where the real rows differ, and each change
# is one converge_by (why-run lists them and writes nothing). Writes happen on the PRIMARY
# only (they replicate); on a secondary this resource does nothing.
provides :timestamp_db_cluster_metadata
unified_mode true

property :cluster_name, String, name_property: true
property :cluster_id, String, required: true
property :group_name, String, required: true
property :sql_dir, String, required: true
property :port, Integer, default: 3306
property :xport, Integer, default: 33_060
property :gr_port, Integer, default: 33_061
property :members, Array, default: [], description: "[{ 'name' => 'db-a', 'address' => '10.0.0.11' }, ...]"
property :routers, Array, default: [], description: "[{ 'id' => 1, 'name' => 'app-a', 'address' => '10.0.0.21' }, ...]"
property :mysql_client, [String, Array], default: '/usr/bin/mysql'
property :root_client_cnf, String, default: '/root/.my.cnf'
property :passwords, Hash, sensitive: true, required: true,
                           description: 'replication_password, router_password, migrator_password, app_password'

action_class do
  def sql
    @sql ||= TimestampCommon::MysqlClient.new(TimestampCommon::CommandRunner.new, client: new_resource.mysql_client)
  end

  def local
    TimestampCommon::MysqlEndpoint.new(label: 'local member', defaults_file: new_resource.root_client_cnf)
  end

  def primary?
    me = TimestampDb::Member.new(name: 'local member', address: nil, endpoint: local)
    view = TimestampDb::Group.new(sql, [me], replication: {}).view(me)
    TimestampDb::Group.quorum?(view) && view.any? { |m| m[:self] && m[:role] == 'PRIMARY' }
  end

  def metadata
    TimestampDb::Metadata.new(sql, local, sql_dir: new_resource.sql_dir, members: new_resource.members,
                                          routers: new_resource.routers, passwords: new_resource.passwords,
                                          cluster: { 'name' => new_resource.cluster_name, 'id' => new_resource.cluster_id,
                                                     'group_name' => new_resource.group_name, 'port' => new_resource.port,
                                                     'xport' => new_resource.xport, 'gr_port' => new_resource.gr_port })
  end
end

action :create do
  if primary?
    m = metadata
    m.plan.each { |change| converge_by(change.description) { m.apply([change]) } }
  else
    Chef::Log.info('not the PRIMARY: the metadata is written by the primary member')
  end
end
