# frozen_string_literal: true

require 'json'
require 'tmpdir'
require_relative '../../spec_helper'
require_relative '../fake_servers'

describe TimestampDb::Keeper do
  let(:names) { %w(db-a db-b db-c) }
  let(:servers) { FakeServers.new(names) }
  let(:clock) { [0.0] }
  let(:lines) { [] }
  let(:state_dir) { Dir.mktmpdir }
  let(:members) do
    names.map do |n|
      TimestampDb::Member.new(name: n, address: servers[n][:address], endpoint: TimestampCommon::MysqlEndpoint.new(label: n))
    end
  end
  let(:group) do
    TimestampDb::Group.new(servers, members, replication: { 'user' => 'ts_repl', 'password' => 'secret' },
                                             clock: -> { clock[0] }, sleeper: ->(s) { clock[0] += s })
  end
  # The keeper of one member, with the group's fake clock.
  let(:keeper) do
    lambda do |name|
      described_class.new(group, members.find { |m| m.name == name },
                          sql: servers, log: ->(l) { lines << l }, clock: -> { clock[0] },
                          settings: { 'interval_s' => 2, 'bootstrap_after_s' => 300, 'join_timeout_s' => 60,
                                      'state_file' => File.join(state_dir, "#{name}.json") })
    end
  end
  # Statements that change something (the fake logs every statement that is not a SELECT).
  let(:actions) { ->(name) { servers.statements(name).reject { |s| s.start_with?('SET GLOBAL offline_mode') } } }

  after { FileUtils.rm_rf(state_dir) }

  it 'leaves a member ONLINE in the majority’s view alone' do
    servers.form('db-a', 'db-b', 'db-c')
    expect(keeper.call('db-b').tick).to eq :online
    expect(servers.statements).to eq []
  end

  it 'joins a restarted member to the group that has a majority, as a secondary, never bootstrapping' do
    servers.form('db-a', 'db-b')
    servers['db-c'][:gtids] = 'g:1'
    servers['db-a'][:gtids] = 'g:1,g:2'
    expect(keeper.call('db-c').tick).to eq :online
    expect(actions.call('db-c').grep(/GROUP_REPLICATION/)).to eq ['START GROUP_REPLICATION']
    expect(servers.statements.grep(/bootstrap/)).to eq []
    expect(servers.statements('db-c').first).to eq 'SET GLOBAL offline_mode = OFF'
  end

  it 'refuses a member with errant transactions, reports them, and changes nothing' do
    servers.form('db-a', 'db-b')
    servers['db-a'][:gtids] = 'g:1,g:2'
    servers['db-c'][:gtids] = 'g:1,x:7'
    k = keeper.call('db-c')
    expect(k.tick).to eq :errant
    expect(k.detail).to match(/\(x:7\); refusing to join/)
    expect(actions.call('db-c')).to eq []
    expect(JSON.parse(File.read(File.join(state_dir, 'db-c.json')))).to include('member' => 'db-c', 'state' => 'errant')
  end

  it 'stops Group Replication on a member in ERROR (expelled), and joins it on the next look' do
    servers.form('db-a', 'db-b')
    servers['db-c'][:state] = 'ERROR'
    k = keeper.call('db-c')
    expect(k.tick).to eq :stopped
    expect(actions.call('db-c')).to eq ['STOP GROUP_REPLICATION']
    expect(k.tick).to eq :online
    expect(actions.call('db-c').last).to eq 'START GROUP_REPLICATION'
  end

  it 'does nothing to a member ONLINE only in a view without quorum (its zone cut off)' do
    servers['db-c'][:view] = lambda {
      [%w(self uuid-db-c 10.0.0.13 ONLINE PRIMARY), %w(peer uuid-db-a 10.0.0.11 UNREACHABLE SECONDARY),
       %w(peer uuid-db-b 10.0.0.12 UNREACHABLE SECONDARY)]
    }
    servers['db-a'][:up] = servers['db-b'][:up] = false
    expect(keeper.call('db-c').tick).to eq :minority
    expect(servers.statements).to eq []
  end

  describe 'after a full outage (no group anywhere)' do
    it 'bootstraps from the most advanced member once every member answers; the others wait for it' do
      servers['db-b'][:gtids] = 'g:1,g:2'
      servers['db-a'][:gtids] = 'g:1'
      expect(keeper.call('db-a').tick).to eq :waiting
      expect(lines.last).to match(/db-b holds the most transactions/)
      expect(keeper.call('db-c').tick).to eq :waiting
      expect(actions.call('db-a') + actions.call('db-c')).to eq []
      expect(keeper.call('db-b').tick).to eq :online
      expect(actions.call('db-b').grep(/GROUP_REPLICATION/))
        .to eq ['SET GLOBAL group_replication_bootstrap_group = ON; START GROUP_REPLICATION']
      expect(keeper.call('db-a').tick).to eq :online # then joins the new group
      expect(actions.call('db-a').grep(/GROUP_REPLICATION/)).to eq ['START GROUP_REPLICATION']
    end

    it 'waits for a missing member; after bootstrap_after_s a majority bootstraps from its most advanced' do
      servers['db-c'][:up] = false
      servers['db-a'][:gtids] = 'g:1,g:2'
      k = keeper.call('db-a')
      expect(k.tick).to eq :waiting
      expect(k.detail).to match(/2 of 3 members answer: waiting for all/)
      clock[0] += 299
      expect(k.tick).to eq :waiting
      clock[0] += 1
      expect(k.tick).to eq :online
      expect(actions.call('db-a').grep(/bootstrap_group = ON/).size).to eq 1
    end

    it 'never bootstraps when only itself answers (cut off, or the others down), however long it waits' do
      servers['db-b'][:up] = servers['db-c'][:up] = false
      servers['db-a'][:gtids] = 'g:1,g:2,g:3'
      k = keeper.call('db-a')
      clock[0] += 3600
      expect(k.tick).to eq :waiting
      expect(actions.call('db-a')).to eq []
    end

    it 'waits while a member still runs Group Replication (ERROR): its set is not final yet' do
      servers['db-b'][:state] = 'ERROR'
      expect(keeper.call('db-a').tick).to eq :waiting
      expect(lines.last).to match(/waiting for db-b to leave/)
      expect(actions.call('db-a')).to eq []
    end

    it 'refuses to bootstrap when the members’ sets diverge' do
      servers['db-a'][:gtids] = 'g:1,x:1'
      servers['db-b'][:gtids] = 'g:1,y:1'
      expect(keeper.call('db-a').tick).to eq :diverged
      expect(servers.statements.grep(/GROUP_REPLICATION/)).to eq []
    end
  end

  it 'logs a state once, not on every look' do
    servers.form('db-a', 'db-b', 'db-c')
    k = keeper.call('db-a')
    3.times { k.tick }
    expect(lines).to eq ['db-a: online: ONLINE, primary db-a']
  end

  it 'reports a member whose mysqld does not answer' do
    servers['db-a'][:up] = false
    expect(keeper.call('db-a').tick).to eq :down
  end
end
