# frozen_string_literal: true

require_relative '../../spec_helper'

describe TimestampDb::Datadir do
  it 'gives --initialize the server options without those only Group Replication’s plugin knows' do
    printed = "--port=3306\n--plugin_load_add=group_replication.so\n--group_replication_group_name=x\n" \
              "--group-replication-start-on-boot=OFF\n--plugin-load-add=mysql_clone.so\n--server_id=11\n"
    expect(described_class.initialize_options(printed)).to eq %w(--port=3306 --server_id=11)
  end
end

describe TimestampDb::RootAccount do
  let(:sent) { [] }
  let(:sql) do
    double('sql').tap do |s|
      allow(s).to receive(:query) { |endpoint, statement, **| (sent << [endpoint, statement]) && [] }
    end
  end
  let(:account) do
    described_class.new(sql, TimestampCommon::MysqlEndpoint.new(defaults_file: '/root/.my.cnf'), socket: '/run/m.sock')
  end

  it 'sets root’s password and creates the probe account over the socket, unlogged, in one session' do
    expect(account.initialize_accounts("r'oot", probe: { 'user' => 'ts_probe', 'password' => 'p' })).to be true
    endpoint, statement = sent.fetch(0)
    expect(sent.size).to eq 1
    expect(endpoint.socket).to eq '/run/m.sock'
    expect(statement.split('; ')).to eq [
      'SET sql_log_bin = 0', "ALTER USER 'root'@'localhost' IDENTIFIED BY 'r\\'oot'",
      "CREATE USER IF NOT EXISTS 'ts_probe'@'%' IDENTIFIED BY 'p'",
      "GRANT SELECT ON performance_schema.replication_group_members TO 'ts_probe'@'%'",
      "GRANT SELECT ON performance_schema.replication_connection_status TO 'ts_probe'@'%'"
    ]
  end

  it 'reports a first login that fails (server not up, or root already has a password)' do
    allow(sql).to receive(:query).and_return(nil)
    expect(account.initialize_accounts('x', probe: { 'user' => 'ts_probe', 'password' => 'p' })).to be false
  end
end
