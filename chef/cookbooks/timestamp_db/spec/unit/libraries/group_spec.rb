# frozen_string_literal: true

require_relative '../../spec_helper'

require_relative '../fake_servers'

describe TimestampDb::Group do
  let(:names) { %w(db-a db-b db-c) }
  let(:servers) { FakeServers.new(names) }
  let(:messages) { [] }
  let(:group) do
    members = names.map do |n|
      TimestampDb::Member.new(name: n, address: servers[n][:address],
                              endpoint: TimestampCommon::MysqlEndpoint.new(label: n))
    end
    clock = [0.0]
    described_class.new(servers, members, replication: { 'user' => 'ts_repl', 'password' => 'secret' },
                                          log: ->(m) { messages << m },
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

  describe '#pending (what why-run prints)' do
    it 'is nil for a member ONLINE in the majority’s view' do
      servers.form('db-a', 'db-b', 'db-c')
      expect(group.pending(member.call('db-b'))).to be_nil
    end

    it 'names the join while a group exists' do
      servers.form('db-a', 'db-b')
      expect(group.pending(member.call('db-c'))).to eq 'wait for db-c to join the group (primary db-a)'
    end

    it 'reports a change, and runs nothing, where no server answers yet (no mysql client installed)' do
      names.each { |n| servers[n][:up] = false }
      expect(group.pending(member.call('db-a'))).to match(/keepers to form the group \(db-a among them\)/)
      expect(servers.statements).to eq []
    end
  end

  describe '#await_online' do
    it 'returns once every member is ONLINE in the majority’s view, changing nothing' do
      servers.form('db-a', 'db-b', 'db-c')
      expect(group.await_online(group.members, timeout: 5)).to be true
      expect(servers.statements).to eq []
    end

    it 'fails after the timeout with every member’s state' do
      servers.form('db-a', 'db-b')
      servers['db-c'][:up] = false
      expect { group.await_online(group.members, timeout: 5) }
        .to raise_error(/not every member ONLINE after 5 s: db-a ONLINE, db-b ONLINE, db-c not answering/)
    end
  end

  describe '#join (the rejoin after a cut)' do
    it 'stops Group Replication before starting it again on a member in ERROR, with the time each takes' do
      servers.form('db-a', 'db-b')
      servers['db-c'][:state] = 'ERROR'
      timeouts = []
      allow(servers).to receive(:query).and_wrap_original do |original, endpoint, sql, timeout: 10|
        timeouts << [endpoint.label, sql, timeout] if sql =~ /^(STOP|START) GROUP_REPLICATION$/
        original.call(endpoint, sql, timeout:)
      end
      expect(group.join(member.call('db-c'))).to be true
      expect(timeouts).to eq [['db-c', 'STOP GROUP_REPLICATION', 90], ['db-c', 'START GROUP_REPLICATION', 60]]
    end

    it 'lets a member that is already RECOVERING finish instead of restarting it' do
      servers.form('db-a', 'db-b')
      answers = %w(RECOVERING RECOVERING ONLINE) # its own view, asked over time
      servers['db-c'][:view] = -> { [['self', 'uuid-db-c', '10.0.0.13', answers.shift || 'ONLINE', '-']] }
      expect(group.join(member.call('db-c'))).to be true
      expect(servers.statements('db-c')).to eq []
    end

    it 'waits through a restart of mysqld (a clone) and starts Group Replication again on the cloned data' do
      servers.form('db-a', 'db-b')
      servers['db-c'][:joins_as] = 'RECOVERING'
      polls = 0
      allow(servers).to receive(:query).and_wrap_original do |original, endpoint, sql, **kw|
        if endpoint.label == 'db-c' && sql.include?('replication_group_members') &&
           servers.statements('db-c').count('START GROUP_REPLICATION') == 1
          polls += 1
          servers['db-c'][:up] = polls > 3 # down for three polls, then back
          if polls == 4
            servers['db-c'][:state] = 'OFFLINE'
            servers['db-c'][:joins_as] = 'ONLINE'
          end
        end
        original.call(endpoint, sql, **kw)
      end
      expect(group.join(member.call('db-c'))).to be true
      expect(servers.statements('db-c').count('START GROUP_REPLICATION')).to eq 2
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
