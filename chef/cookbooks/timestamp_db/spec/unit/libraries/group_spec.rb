# frozen_string_literal: true

require_relative '../../spec_helper'

# A make-believe group of MySQL servers that answers the queries TimestampDb::Group sends,
# the way Group Replication would: enough to check decisions and statement order.
class FakeServers
  attr_reader :log

  def initialize(names)
    @servers = names.each_with_index.to_h do |name, i|
      [name, { address: "10.0.0.1#{i + 1}", uuid: "uuid-#{name}", state: 'OFFLINE', up: true, gtids: '' }]
    end
    @group = [] # names in the group, the first is PRIMARY
    @log = []
    @bootstrap = false
  end

  def [](name)
    @servers.fetch(name)
  end

  def form(*names)
    @group = names
    names.each { |n| self[n][:state] = 'ONLINE' }
  end

  def statements(name = nil)
    @log.select { |n, _| name.nil? || n == name }.map { |n, s| name ? s : "#{n}: #{s}" }
  end

  def query(endpoint, sql, timeout: 10)
    name = endpoint.label
    server = self[name]
    return nil unless server[:up]

    statement = sql.strip.gsub(/\s+/, ' ')
    @log << [name, statement] unless statement.start_with?('SELECT')
    answer(name, server, statement, timeout)
  end

  def value(endpoint, sql, timeout: 10)
    query(endpoint, sql, timeout:)&.first&.first
  end

  private

  def answer(name, server, statement, _timeout)
    case statement
    when /replication_group_members/ then view(name, server)
    when /gtid_executed/ then [[server[:gtids]]]
    when /GTID_SUBSET\('([^']*)', '([^']*)'\)/ then [[subset?(Regexp.last_match(1), Regexp.last_match(2)) ? '1' : '0']]
    when /bootstrap_group = ON; START GROUP_REPLICATION/ then start(name, server, bootstrap: true)
    when 'START GROUP_REPLICATION' then start(name, server, bootstrap: false)
    when 'STOP GROUP_REPLICATION'
      @group.delete(name)
      server[:state] = 'OFFLINE'
      []
    else []
    end
  end

  def view(name, server)
    return server[:view].call if server[:view]
    return [['self', server[:uuid], server[:address], server[:state], '-']] unless @group.include?(name)

    @group.sort_by { |n| n == name ? 0 : 1 }.map do |n|
      [n == name ? 'self' : 'peer', self[n][:uuid], self[n][:address], self[n][:state],
       n == @group.first ? 'PRIMARY' : 'SECONDARY']
    end
  end

  def start(name, server, bootstrap:)
    return nil if !bootstrap && @group.empty?

    @group << name
    server[:state] = server[:joins_as] || 'ONLINE'
    []
  end

  # GTID sets here are "uuid:N" items separated by commas: a subset test on items.
  def subset?(set, of)
    items = ->(s) { s.split(',').reject(&:empty?) }
    (items.call(set) - items.call(of)).empty?
  end
end

describe TimestampDb::Group do
  let(:names) { %w(db-a db-b db-c) }
  let(:servers) { FakeServers.new(names) }
  let(:alive) { ->(_member) { true } }
  let(:messages) { [] }
  let(:group) do
    members = names.map do |n|
      TimestampDb::Member.new(name: n, address: servers[n][:address],
                              endpoint: TimestampCommon::MysqlEndpoint.new(label: n))
    end
    clock = [0.0]
    described_class.new(servers, members, replication: { 'user' => 'ts_repl', 'password' => 'secret' },
                                          alive:, log: ->(m) { messages << m },
                                          clock: -> { clock[0] }, sleeper: ->(s) { clock[0] += s })
  end
  let(:member) { ->(name) { group.members.find { |m| m.name == name } } }

  describe '.quorum?' do
    it 'needs its own member ONLINE and more than half of the view ONLINE' do
      online = ->(me, *others) { [{ self: true, state: me }, *others.map { |s| { self: false, state: s } }] }
      expect(described_class.quorum?(online.call('ONLINE', 'ONLINE', 'UNREACHABLE'))).to be true
      expect(described_class.quorum?(online.call('ONLINE', 'UNREACHABLE', 'UNREACHABLE'))).to be false
      expect(described_class.quorum?(online.call('ONLINE', 'UNREACHABLE'))).to be false # half is no majority
      expect(described_class.quorum?(online.call('RECOVERING', 'ONLINE', 'ONLINE'))).to be false
      expect(described_class.quorum?(online.call('ONLINE'))).to be true
      expect(described_class.quorum?(nil)).to be false
    end
  end

  describe '#bootstrap_candidate' do
    it 'picks the member holding every other member’s transactions' do
      servers['db-a'][:gtids] = 'g:1'
      servers['db-b'][:gtids] = 'g:1,g:2'
      servers['db-c'][:gtids] = 'g:1'
      expect(group.bootstrap_candidate.name).to eq 'db-b'
    end

    it 'gives a tie to the first member, so members deciding at once agree' do
      expect(group.bootstrap_candidate.name).to eq 'db-a'
      servers['db-a'][:gtids] = 'g:1'
      servers['db-c'][:gtids] = 'g:1'
      expect(group.bootstrap_candidate.name).to eq 'db-a'
    end

    it 'refuses to choose when the sets diverge' do
      servers['db-a'][:gtids] = 'g:1,a:1'
      servers['db-b'][:gtids] = 'g:1,b:1'
      expect { group.bootstrap_candidate }.to raise_error(TimestampDb::DivergedError, /diverge.*db-a: g:1,a:1/)
    end

    it 'judges only the members that answer' do
      servers['db-a'][:up] = false
      servers['db-c'][:gtids] = 'g:1'
      expect(group.bootstrap_candidate.name).to eq 'db-c'
    end
  end

  describe '#form' do
    it 'bootstraps from the most advanced member, then joins the others' do
      servers['db-c'][:gtids] = 'g:1,g:2'
      expect(group.form).to eq []
      expect(group.primary.name).to eq 'db-c'
      expect(servers.statements.grep(/START|bootstrap|CHANGE/).map { |s| s.sub(/PASSWORD = '.*' /, '') })
        .to eq ["db-c: CHANGE REPLICATION SOURCE TO SOURCE_USER = 'ts_repl', SOURCE_FOR CHANNEL 'group_replication_recovery'",
                'db-c: SET GLOBAL group_replication_bootstrap_group = ON; START GROUP_REPLICATION',
                'db-c: SET GLOBAL group_replication_bootstrap_group = OFF',
                "db-a: CHANGE REPLICATION SOURCE TO SOURCE_USER = 'ts_repl', SOURCE_FOR CHANNEL 'group_replication_recovery'",
                'db-a: START GROUP_REPLICATION',
                "db-b: CHANGE REPLICATION SOURCE TO SOURCE_USER = 'ts_repl', SOURCE_FOR CHANNEL 'group_replication_recovery'",
                'db-b: START GROUP_REPLICATION']
    end

    it 'changes nothing when every member is ONLINE' do
      servers.form('db-b', 'db-a', 'db-c')
      expect(group.form).to eq []
      expect(servers.statements).to eq []
    end

    it 'joins a stopped member to the group that has a majority, never bootstrapping a second one' do
      servers.form('db-a', 'db-b')
      servers['db-c'][:gtids] = 'g:1,g:2,g:3' # more transactions do not matter while a group exists
      expect(group.form).to eq []
      expect(servers.statements('db-c')).to include('START GROUP_REPLICATION')
      expect(servers.statements.grep(/bootstrap/)).to eq []
    end

    it 'reports a member that cannot join and goes on with the others' do
      servers.form('db-a', 'db-b')
      servers['db-c'][:joins_as] = 'ERROR'
      expect(group.form.map(&:name)).to eq ['db-c']
      expect(messages.last).to match(/db-c: Group Replication is in ERROR/)
    end

    it 'raises MemberExited when a member’s mysqld ends while joining (clone restarts it)' do
      servers.form('db-a', 'db-b')
      servers['db-c'][:joins_as] = 'RECOVERING'
      allow(servers).to receive(:query).and_wrap_original do |original, endpoint, sql, **kw|
        servers['db-c'][:up] = false if endpoint.label == 'db-c' && servers.statements('db-c').include?('START GROUP_REPLICATION')
        original.call(endpoint, sql, **kw)
      end
      dead = ->(m) { m.name != 'db-c' }
      g = described_class.new(servers, group.members, replication: { 'user' => 'u', 'password' => 'p' }, alive: dead,
                                                      clock: -> { 0 }, sleeper: ->(_s) {})
      expect { g.form }.to raise_error(TimestampDb::MemberExited) { |e| expect(e.member.name).to eq 'db-c' }
    end
  end

  describe '#converge (the rejoin after a cut)' do
    it 'stops Group Replication before starting it again on a member in ERROR, with the time each takes' do
      servers.form('db-a', 'db-b')
      servers['db-c'][:state] = 'ERROR'
      timeouts = []
      allow(servers).to receive(:query).and_wrap_original do |original, endpoint, sql, timeout: 10|
        timeouts << [endpoint.label, sql, timeout] if sql =~ /^(STOP|START) GROUP_REPLICATION$/
        original.call(endpoint, sql, timeout:)
      end
      expect(group.converge(member.call('db-c'))).to eq :joined
      expect(timeouts).to eq [['db-c', 'STOP GROUP_REPLICATION', 90], ['db-c', 'START GROUP_REPLICATION', 60]]
    end

    it 'lets a member that is already RECOVERING finish instead of restarting it' do
      servers.form('db-a', 'db-b')
      answers = %w(RECOVERING RECOVERING ONLINE) # its own view, asked over time
      servers['db-c'][:view] = -> { [['self', 'uuid-db-c', '10.0.0.13', answers.shift || 'ONLINE', '-']] }
      expect(group.converge(member.call('db-c'))).to eq :joined
      expect(servers.statements('db-c')).to eq []
    end

    it 'waits for the member holding the most transactions to bootstrap, then fails after the wait' do
      servers['db-a'][:gtids] = 'g:1'
      expect { group.converge(member.call('db-b'), wait_for_group: 5) }
        .to raise_error(/db-b: no group yet; db-a holds the most transactions/)
      expect(servers.statements).to eq []
    end
  end

  describe '#pending (what why-run prints)' do
    it 'is nil for a member ONLINE in the majority’s view' do
      servers.form('db-a', 'db-b', 'db-c')
      expect(group.pending(member.call('db-b'))).to be_nil
    end

    it 'names the join while a group exists' do
      servers.form('db-a', 'db-b')
      expect(group.pending(member.call('db-c'))).to eq 'join db-c to the group (primary db-a)'
    end

    it 'reports a change, and runs nothing, where no server answers yet (no mysql client installed)' do
      names.each { |n| servers[n][:up] = false }
      expect(group.pending(member.call('db-a'))).to match(/start Group Replication on db-a/)
      expect(servers.statements).to eq []
    end
  end

  describe '#status' do
    it 'reports state as the majority sees it; a member cut off is UNREACHABLE, one down has no state' do
      servers.form('db-a', 'db-b', 'db-c')
      majority = lambda { |me|
        [['self', "uuid-#{me}", servers[me][:address], 'ONLINE', me == 'db-a' ? 'PRIMARY' : 'SECONDARY'],
         ['peer', 'uuid-db-c', '10.0.0.13', 'UNREACHABLE', 'SECONDARY']]
      }
      servers['db-a'][:view] = -> { majority.call('db-a') + [['peer', 'uuid-db-b', '10.0.0.12', 'ONLINE', 'SECONDARY']] }
      servers['db-b'][:view] = -> { majority.call('db-b') + [['peer', 'uuid-db-a', '10.0.0.11', 'ONLINE', 'PRIMARY']] }
      servers['db-c'][:view] = lambda {
        [%w(self uuid-db-c 10.0.0.13 ONLINE PRIMARY), %w(peer uuid-db-a 10.0.0.11 UNREACHABLE SECONDARY),
         %w(peer uuid-db-b 10.0.0.12 UNREACHABLE SECONDARY)]
      }
      expect(group.status.map { |m, state, role| [m.name, state, role] })
        .to eq [%w(db-a ONLINE PRIMARY), %w(db-b ONLINE SECONDARY), %w(db-c UNREACHABLE -)]
    end

    it 'without a majority, every member reports its own state' do
      expect(group.status.map { |m, state, role| [m.name, state, role] })
        .to eq [%w(db-a OFFLINE -), %w(db-b OFFLINE -), %w(db-c OFFLINE -)]
      servers['db-b'][:up] = false
      expect(group.status.map { |_, state, _| state }).to eq ['OFFLINE', nil, 'OFFLINE']
    end
  end

  describe '#leave' do
    it 'stops the secondaries first and the primary last' do
      servers.form('db-b', 'db-a', 'db-c')
      group.leave
      expect(servers.statements).to eq ['db-a: STOP GROUP_REPLICATION', 'db-c: STOP GROUP_REPLICATION',
                                        'db-b: STOP GROUP_REPLICATION']
    end
  end
end
