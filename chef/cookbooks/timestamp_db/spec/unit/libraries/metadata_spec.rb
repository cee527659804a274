# frozen_string_literal: true

require_relative '../../spec_helper'

describe TimestampDb::Metadata do
  let(:sql_dir) { File.expand_path('../../../files/default', __dir__) }
  let(:primary) { TimestampCommon::MysqlEndpoint.new(label: 'db-a') }
  let(:cluster) do
    { 'name' => 'timestamps', 'id' => 'cid', 'group_name' => 'gname', 'port' => 3306, 'xport' => 33_060, 'gr_port' => 33_061 }
  end
  let(:members) { [{ 'name' => 'db-a', 'address' => '10.0.0.11' }, { 'name' => 'db-b', 'address' => '10.0.0.12' }] }
  let(:routers) { [{ 'id' => 1, 'name' => 'app-a', 'address' => '10.0.0.21' }] }
  let(:passwords) do
    { 'replication_password' => 'r', 'router_password' => "o'x", 'probe_password' => 'p', 'backup_password' => 'b',
      'migrator_password' => 'm', 'app_password' => 'a',
      'root_password' => 'not for the metadata' }
  end
  let(:tables) do
    File.read(File.join(sql_dir, 'metadata-schema.sql')).scan(/^CREATE (TABLE IF NOT EXISTS|OR REPLACE .*VIEW) /).size
  end
  # What the primary holds: answers by query, as the real tables would.
  let(:rows) do
    { schema: (tables + TimestampDb::Metadata::ACCOUNTS.size + 1).to_s, cluster: 'timestamps gname',
      group: [%w(10.0.0.11 uuid-a), %w(10.0.0.12 uuid-b)],
      instances: { '10.0.0.11:3306' => 'uuid-a 10.0.0.11:33060 10.0.0.11:33061 db-a',
                   '10.0.0.12:3306' => 'uuid-b 10.0.0.12:33060 10.0.0.12:33061 db-b' },
      routers: { 1 => 'app-a 10.0.0.21 cid' } }
  end
  let(:sql) do
    double('sql').tap do |sql|
      allow(sql).to receive(:value) do |_endpoint, query|
        case query
        when /information_schema/ then rows[:schema]
        when /FROM mysql_innodb_cluster_metadata.clusters/ then rows[:cluster]
        when /instances WHERE address = '([^']+)'/ then rows[:instances][Regexp.last_match(1)]
        when /routers WHERE router_id = (\d+)/ then rows[:routers][Regexp.last_match(1).to_i]
        end
      end
      allow(sql).to receive(:query).with(primary, /replication_group_members/) { rows[:group] }
    end
  end
  let(:metadata) { described_class.new(sql, primary, sql_dir:, cluster:, members:, routers:, passwords:) }

  it 'plans nothing when the rows match the group' do
    expect(metadata.plan).to eq []
  end

  it 'learns the new server UUID of a re-initialized member, by address, without a second row' do
    rows[:group] = [%w(10.0.0.11 uuid-a), %w(10.0.0.12 uuid-b2)]
    plan = metadata.plan
    expect(plan.map(&:description)).to eq ['register member db-b (10.0.0.12, server uuid uuid-b2)']
    expect(plan.first.file).to eq 'metadata-instance.sql'
    expect(plan.first.assignments).to include('address' => '10.0.0.12:3306', 'server_uuid' => 'uuid-b2', 'label' => 'db-b')
  end

  it 'creates the schema and accounts first on a new cluster, then registers everything' do
    rows.merge!(schema: '0', cluster: nil, instances: {}, routers: {})
    expect(metadata.plan.map(&:description))
      .to eq ['create the metadata schema', 'create the accounts and the database', 'register cluster timestamps',
              'register member db-a (10.0.0.11, server uuid uuid-a)', 'register member db-b (10.0.0.12, server uuid uuid-b)',
              'register router 1 (app-a)']
    expect(metadata.plan[1].assignments.keys)
      .to eq %w(replication_password router_password probe_password backup_password migrator_password app_password)
  end

  it 'updates a Router row that changed, and labels an unknown member by its address' do
    rows[:routers] = { 1 => 'app-a 10.9.9.9 cid' }
    rows[:group] << %w(10.0.0.13 uuid-c)
    expect(metadata.plan.map(&:description))
      .to eq ['register member 10.0.0.13 (10.0.0.13, server uuid uuid-c)', 'register router 1 (app-a)']
  end

  it 'runs each change as its session variables (secrets quoted, on stdin) followed by the cookbook file' do
    rows.merge!(schema: '0')
    scripts = []
    allow(sql).to receive(:source!) { |_endpoint, script| scripts << script }
    metadata.apply(metadata.plan.first(2))
    expect(scripts[0]).to eq File.read(File.join(sql_dir, 'metadata-schema.sql'))
    expect(scripts[1]).to start_with("SET @replication_password = 'r';\nSET @router_password = 'o\\'x';\n")
    expect(scripts[1]).to end_with(File.read(File.join(sql_dir, 'accounts.sql')))
  end
end
