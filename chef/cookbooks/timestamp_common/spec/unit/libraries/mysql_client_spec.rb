# frozen_string_literal: true

require_relative '../../../libraries/command_runner'
require_relative '../../../libraries/mysql_client'

describe TimestampCommon::CommandRunner do
  let(:runner) { described_class.new }

  it 'answers "not installed" (127) for a missing program instead of raising: why-run asks before installing' do
    result = runner.run('/nonexistent/mysql', '-e', 'SELECT 1')
    expect([result.status, result.missing?, result.ok?]).to eq [127, true, false]
  end

  it 'passes standard input and bounds the time' do
    expect(runner.run('cat', input: "secret\n").stdout).to eq "secret\n"
    expect(runner.run('sleep', '5', timeout: 0.2).status).to eq 124
  end
end

describe TimestampCommon::MysqlClient do
  # Records what would run and answers like the mysql client's batch mode.
  let(:calls) { [] }
  let(:answer) { TimestampCommon::CommandResult.new(0, "a\tb\nc\t\n", '') }
  let(:runner) do
    double('runner').tap do |r|
      allow(r).to receive(:run) do |*argv, input:, timeout:|
        option_file = argv.grep(/--defaults-extra-file=/).map { |o| File.read(o.split('=', 2).last) }
        calls << { argv:, input:, timeout:, option_file: }
        answer
      end
    end
  end
  let(:client) { described_class.new(runner, client: %w(/loader /usr/bin/mysql)) }

  it 'runs as root through its option file, option file first, and splits rows and fields' do
    rows = client.query(TimestampCommon::MysqlEndpoint.new(defaults_file: '/root/.my.cnf'), 'SELECT 1', timeout: 7)
    expect(rows).to eq [%w(a b), ['c', '']]
    expect(calls.last[:argv]).to eq ['/loader', '/usr/bin/mysql', '--defaults-file=/root/.my.cnf', '--connect-timeout=2',
                                     '-NB', '-e', 'SELECT 1']
    expect(calls.last[:timeout]).to eq 7
  end

  it 'keeps a peer’s password off the command line (a private option file)' do
    peer = TimestampCommon::MysqlEndpoint.new(host: '10.0.0.12', port: 3306, user: 'router_meta', password: 's3cr"t')
    client.query(peer, 'SELECT 1')
    expect(calls.last[:argv].join(' ')).not_to include('s3cr')
    expect(calls.last[:option_file]).to eq ["[client]\nuser=router_meta\npassword=\"s3cr\"t\"\n"]
    expect(calls.last[:argv]).to include('-h', '10.0.0.12', '-P', '3306', '--protocol=TCP')
  end

  it 'is nil when the server does not answer, and source! raises with the client’s message' do
    allow(runner).to receive(:run).and_return(TimestampCommon::CommandResult.new(1, '', "ERROR 2002 (HY000): Can't connect\n"))
    endpoint = TimestampCommon::MysqlEndpoint.new(label: 'db-a', defaults_file: '/f')
    expect(client.query(endpoint, 'SELECT 1')).to be_nil
    expect { client.source!(endpoint, 'SELECT 1') }.to raise_error(/mysql on db-a: ERROR 2002/)
  end

  it 'quotes SQL literals, and sets integers unquoted' do
    expect(TimestampCommon::Sql.quote("o'k\\")).to eq "'o\\'k\\\\'"
    expect(TimestampCommon::Sql.assignments('id' => 3, 'name' => "a'b")).to eq "SET @id = 3;\nSET @name = 'a\\'b';\n"
  end
end
