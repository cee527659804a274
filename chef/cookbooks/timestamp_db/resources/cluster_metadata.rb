# frozen_string_literal: true

# The InnoDB Cluster metadata MySQL Router reads, the least-privilege accounts and the
# application's database, from the cookbook's own SQL (files/default). Writes happen on
# the PRIMARY only (they replicate); on a secondary this resource does nothing. Every
# step compares the real rows first and writes only what differs, in the same order
# as the local cluster: schema + accounts, cluster row, one row per member, per Router.
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
property :mysql_client, String, default: '/usr/bin/mysql'
property :root_client_cnf, String, default: '/root/.my.cnf'
property :passwords, Hash, sensitive: true, required: true,
                           description: 'replication_password, router_password, migrator_password, app_password'

action_class do
  include TimestampDb::Helpers

  def accounts
    %w(ts_repl router_meta ts_migrator ts_app)
  end

  def sql(query)
    local_query!(new_resource.mysql_client, new_resource.root_client_cnf, query)
  end

  def value(query)
    sql(query).flatten.join(' ')
  end

  def source(file, assignments = {})
    local_source!(new_resource.mysql_client, new_resource.root_client_cnf,
                  ::File.join(new_resource.sql_dir, file), assignments)
  end

  def primary?
    view = group_view(local_query(new_resource.mysql_client, new_resource.root_client_cnf, GROUP_VIEW_SQL))
    quorum?(view) && view.any? { |m| m[:self] && m[:role] == 'PRIMARY' }
  end

  def schema_complete?
    ddl = ::File.read(::File.join(new_resource.sql_dir, 'metadata-schema.sql'))
    want = ddl.scan(/^CREATE (TABLE IF NOT EXISTS|OR REPLACE .*VIEW) /).size + accounts.size + 1
    have = value(<<~SQL).to_i
      SELECT (SELECT COUNT(*) FROM information_schema.tables WHERE TABLE_SCHEMA = 'mysql_innodb_cluster_metadata')
           + (SELECT COUNT(*) FROM mysql.user WHERE user IN (#{accounts.map { |a| "'#{a}'" }.join(', ')}))
           + (SELECT COUNT(*) FROM information_schema.schemata WHERE SCHEMA_NAME = 'timestamps')
    SQL
    have == want
  end

  def quote(text)
    TimestampCommon::Sql.quote(text)
  end

  def label_of(address)
    new_resource.members.find { |m| m['address'] == address }&.fetch('name') || address
  end

  def sync_metadata
    unless schema_complete?
      converge_by 'create the metadata schema, the accounts and the database' do
        source('metadata-schema.sql')
        pw = new_resource.passwords
        source('accounts.sql', replication_password: pw['replication_password'], router_password: pw['router_password'],
                               migrator_password: pw['migrator_password'], app_password: pw['app_password'])
      end
    end

    row = value("SELECT CONCAT(cluster_name, ' ', group_name) FROM mysql_innodb_cluster_metadata.clusters " \
                "WHERE cluster_id = #{quote(new_resource.cluster_id)}")
    unless row == "#{new_resource.cluster_name} #{new_resource.group_name}"
      converge_by "register cluster #{new_resource.cluster_name}" do
        source('metadata-cluster.sql', cluster_id: new_resource.cluster_id, cluster_name: new_resource.cluster_name,
                                       group_name: new_resource.group_name)
      end
    end

    # Every member the group knows, with its current server UUID (a re-initialized member
    # has a new one; the row is keyed by address, so it is updated, not duplicated).
    group = sql('SELECT MEMBER_HOST, MEMBER_ID FROM performance_schema.replication_group_members ' \
                "WHERE CHANNEL_NAME = 'group_replication_applier' AND MEMBER_STATE IN ('ONLINE', 'RECOVERING')")
    group.each do |host, uuid|
      label = label_of(host)
      want = "#{uuid} #{host}:#{new_resource.xport} #{host}:#{new_resource.gr_port} #{label}"
      have = value('SELECT CONCAT_WS(\' \', mysql_server_uuid, xaddress, gr_local_address, instance_name) ' \
                   "FROM mysql_innodb_cluster_metadata.instances WHERE address = #{quote("#{host}:#{new_resource.port}")}")
      next if have == want

      converge_by "register member #{label} (#{host}, server uuid #{uuid})" do
        source('metadata-instance.sql', cluster_id: new_resource.cluster_id, address: "#{host}:#{new_resource.port}",
                                        xaddress: "#{host}:#{new_resource.xport}",
                                        gr_local_address: "#{host}:#{new_resource.gr_port}",
                                        server_uuid: uuid, label:)
      end
    end

    new_resource.routers.each do |router|
      want = "#{router['name']} #{router['address']} #{new_resource.cluster_id}"
      have = value('SELECT CONCAT_WS(\' \', router_name, address, cluster_id) FROM mysql_innodb_cluster_metadata.routers ' \
                   "WHERE router_id = #{Integer(router['id'])}")
      next if have == want

      converge_by "register router #{router['id']} (#{router['name']})" do
        source('metadata-router.sql', router_id: Integer(router['id']), router_name: router['name'],
                                      router_address: router['address'], cluster_id: new_resource.cluster_id)
      end
    end
  end
end

action :create do
  if primary?
    sync_metadata
  else
    Chef::Log.info('not the PRIMARY: the metadata is written by the primary member')
  end
end
