# frozen_string_literal: true

module TimestampDb
  # The InnoDB Cluster metadata MySQL Router reads, the least-privilege accounts and the
  # application's database, written on the PRIMARY from the cookbook's SQL files
  # (files/default). Every step compares the real rows first and plans a write only where
  # they differ: the Chef resource turns each planned change into a converge_by (so why-run
  # prints them and writes nothing), ./stack applies them in order.
  class Metadata
    ACCOUNTS = %w(ts_repl router_meta ts_probe ts_backup ts_migrator ts_app).freeze
    DATABASE = 'timestamps'
    SCHEMA = 'mysql_innodb_cluster_metadata'
    # One change to make: what it is, and the script that makes it.
    Change = Struct.new(:description, :file, :assignments)

    # sql: a TimestampCommon::MysqlClient; primary: the endpoint of the PRIMARY;
    # sql_dir: where the cookbook's SQL files are; cluster: { 'name', 'id', 'group_name',
    # 'port', 'xport', 'gr_port' }; members: [{ 'name', 'address' }] (labels by address);
    # routers: [{ 'id', 'name', 'address' }]; passwords: replication_password,
    # router_password, probe_password, backup_password, migrator_password, app_password.
    def initialize(sql, primary, sql_dir:, cluster:, members:, routers:, passwords:)
      @sql = sql
      @primary = primary
      @sql_dir = sql_dir
      @cluster = cluster
      @members = members
      @routers = routers
      @passwords = passwords
    end

    # The changes that bring the metadata in line with the group, in the order they run.
    def plan
      [*schema_changes, *cluster_changes, *member_changes, *router_changes]
    end

    # Makes each change; returns them.
    def apply(changes = plan, log: ->(_message) {})
      changes.each do |change|
        log.call(change.description)
        script = TimestampCommon::Sql.assignments(change.assignments) + ::File.read(::File.join(@sql_dir, change.file))
        @sql.source!(@primary, script)
      end
    end

    # Tables and views of the DDL, the accounts and the database, against what exists.
    def schema_complete?
      ddl = ::File.read(::File.join(@sql_dir, 'metadata-schema.sql'))
      want = ddl.scan(/^CREATE (TABLE IF NOT EXISTS|OR REPLACE .*VIEW) /).size + ACCOUNTS.size + 1
      value(<<~SQL).to_i == want
        SELECT (SELECT COUNT(*) FROM information_schema.tables WHERE TABLE_SCHEMA = '#{SCHEMA}')
             + (SELECT COUNT(*) FROM mysql.user WHERE user IN (#{ACCOUNTS.map { |a| quote(a) }.join(', ')}))
             + (SELECT COUNT(*) FROM information_schema.schemata WHERE SCHEMA_NAME = '#{DATABASE}')
      SQL
    end

    private

    def schema_changes
      return [] if schema_complete?

      [Change.new('create the metadata schema', 'metadata-schema.sql', {}),
       Change.new('create the accounts and the database', 'accounts.sql',
                  @passwords.slice('replication_password', 'router_password', 'probe_password', 'backup_password',
                                   'migrator_password', 'app_password'))]
    end

    def cluster_changes
      have = value("SELECT CONCAT(cluster_name, ' ', group_name) FROM #{SCHEMA}.clusters " \
                   "WHERE cluster_id = #{quote(@cluster['id'])}")
      return [] if have == "#{@cluster['name']} #{@cluster['group_name']}"

      [Change.new("register cluster #{@cluster['name']}", 'metadata-cluster.sql',
                  'cluster_id' => @cluster['id'], 'cluster_name' => @cluster['name'],
                  'group_name' => @cluster['group_name'])]
    end

    # Every member in the group, with its current server UUID: a re-initialized member has
    # a new one; rows are keyed by address, so it is updated, not duplicated.
    def member_changes
      rows = @sql.query(@primary, 'SELECT MEMBER_HOST, MEMBER_ID FROM performance_schema.replication_group_members ' \
                                  "WHERE CHANNEL_NAME = 'group_replication_applier' " \
                                  "AND MEMBER_STATE IN ('ONLINE', 'RECOVERING') ORDER BY MEMBER_HOST") || []
      rows.filter_map do |host, uuid|
        label = @members.find { |m| m['address'] == host }&.fetch('name') || host
        address = "#{host}:#{@cluster['port']}"
        want = "#{uuid} #{host}:#{@cluster['xport']} #{host}:#{@cluster['gr_port']} #{label}"
        have = value('SELECT CONCAT_WS(\' \', mysql_server_uuid, xaddress, gr_local_address, instance_name) ' \
                     "FROM #{SCHEMA}.instances WHERE address = #{quote(address)}")
        next if have == want

        Change.new("register member #{label} (#{host}, server uuid #{uuid})", 'metadata-instance.sql',
                   'cluster_id' => @cluster['id'], 'address' => address, 'xaddress' => "#{host}:#{@cluster['xport']}",
                   'gr_local_address' => "#{host}:#{@cluster['gr_port']}", 'server_uuid' => uuid, 'label' => label)
      end
    end

    def router_changes
      @routers.filter_map do |router|
        id = Integer(router['id'])
        have = value("SELECT CONCAT_WS(' ', router_name, address, cluster_id) FROM #{SCHEMA}.routers " \
                     "WHERE router_id = #{id}")
        next if have == "#{router['name']} #{router['address']} #{@cluster['id']}"

        Change.new("register router #{id} (#{router['name']})", 'metadata-router.sql',
                   'router_id' => id, 'router_name' => router['name'], 'router_address' => router['address'],
                   'cluster_id' => @cluster['id'])
      end
    end

    def value(query)
      @sql.value(@primary, query)
    end

    def quote(text)
      TimestampCommon::Sql.quote(text)
    end
  end
end
