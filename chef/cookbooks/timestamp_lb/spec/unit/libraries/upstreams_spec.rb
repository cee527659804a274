# frozen_string_literal: true

require_relative '../../../libraries/upstreams'

describe TimestampLb::Upstreams do
  # App hosts, out of order; by name alone z-a would not come second.
  hosts = [
    { 'name' => 'app-c', 'zone' => 'c', 'address' => '10.42.0.23:8080' },
    { 'name' => 'app-b2', 'zone' => 'b', 'address' => '10.42.0.24:8080' },
    { 'name' => 'z-a', 'zone' => 'a', 'address' => '10.42.0.25:8080' },
    { 'name' => 'app-a', 'zone' => 'a', 'address' => '10.42.0.21:8080' },
    { 'name' => 'app-b', 'zone' => 'b', 'address' => '10.42.0.22:8080' }
  ]

  describe '.list' do
    it 'orders the hosts by zone, then name, none drained' do
      list = described_class.list(hosts)
      expect(list.map { |u| u['name'] }).to eq(%w(app-a z-a app-b app-b2 app-c))
      expect(list.map { |u| u['drained'] }).to eq([false] * 5)
      expect(list.first).to eq('name' => 'app-a', 'zone' => 'a', 'address' => '10.42.0.21:8080', 'drained' => false)
    end

    it 'marks the drained names drained and keeps them in the list' do
      list = described_class.list(hosts, drained: %w(app-b app-c))
      expect(list.to_h { |u| [u['name'], u['drained']] })
        .to eq('app-a' => false, 'z-a' => false, 'app-b' => true, 'app-b2' => false, 'app-c' => true)
      expect(list.map { |u| u['address'] })
        .to eq(%w(10.42.0.21:8080 10.42.0.25:8080 10.42.0.22:8080 10.42.0.24:8080 10.42.0.23:8080))
    end

    it 'ignores drained names that are not hosts' do
      expect(described_class.list(hosts, drained: %w(app-z)).map { |u| u['drained'] }.uniq).to eq([false])
    end

    it "keeps an entry's own drained => true (the attribute fallback's way)" do
      list = described_class.list([{ 'name' => 'app-a', 'zone' => 'a', 'address' => '127.0.0.1:8080', 'drained' => true }])
      expect(list.first['drained']).to be(true)
    end

    it 'takes symbol keys and names (JSON or attribute hashes alike) and leaves its input alone' do
      input = [{ name: 'app-b', zone: 'b', address: '10.0.0.22:8080' }, { name: 'app-a', zone: 'a', address: '10.0.0.21:8080' }]
      list = described_class.list(input, drained: [:'app-b'])
      expect(list).to eq([
                           { 'name' => 'app-a', 'zone' => 'a', 'address' => '10.0.0.21:8080', 'drained' => false },
                           { 'name' => 'app-b', 'zone' => 'b', 'address' => '10.0.0.22:8080', 'drained' => true }
                         ])
      expect(input.first).to eq(name: 'app-b', zone: 'b', address: '10.0.0.22:8080')
    end

    it 'is empty for no hosts' do
      expect(described_class.list([], drained: %w(app-a))).to eq([])
    end
  end

  describe '.block' do
    params = { max_fails: 1, fail_timeout: '5s', keepalive: 32 }

    it 'is the whole upstream block: one server line per entry in the order given, then keepalive' do
      block = described_class.block(described_class.list(hosts.first(2)), **params)
      expect(block.lines.grep_v(/^#/).join).to eq(<<~NGINX)
        upstream timestamp_app {
          server 10.42.0.24:8080 max_fails=1 fail_timeout=5s; # app-b2, zone b
          server 10.42.0.23:8080 max_fails=1 fail_timeout=5s; # app-c, zone c
          keepalive 32;
        }
      NGINX
      expect(block.lines.first).to start_with('# ')
    end

    it 'marks drained and not ready entries down, and says which (drained first)' do
      entries = described_class.list(hosts, drained: %w(app-b)).map do |u|
        u.merge('not_ready' => %w(app-b app-c).include?(u['name']))
      end
      lines = described_class.block(entries, max_fails: 3, fail_timeout: '10s', keepalive: 8).lines.map(&:chomp)
      expected = [
        '10.42.0.21:8080 max_fails=3 fail_timeout=10s; # app-a, zone a',
        '10.42.0.25:8080 max_fails=3 fail_timeout=10s; # z-a, zone a',
        '10.42.0.22:8080 max_fails=3 fail_timeout=10s down; # app-b, zone b, drained',
        '10.42.0.24:8080 max_fails=3 fail_timeout=10s; # app-b2, zone b',
        '10.42.0.23:8080 max_fails=3 fail_timeout=10s down; # app-c, zone c, not ready'
      ]
      expect(lines.grep(/server/).map { |line| line.delete_prefix('  server ') }).to eq(expected)
      expect(lines.grep(/server/)).to all(start_with('  server '))
      expect(lines).to include('  keepalive 8;')
    end

    it 'takes symbol keys and IPv6 addresses' do
      block = described_class.block([{ name: 'app-a', zone: 'a', address: '[fd00::21]:8080', not_ready: true }], **params)
      expect(block).to include("  server [fd00::21]:8080 max_fails=1 fail_timeout=5s down; # app-a, zone a, not ready\n")
    end

    it 'refuses no entries (nginx rejects an upstream without servers) and what would break the file' do
      expect { described_class.block([], **params) }.to raise_error(ArgumentError, /no upstreams/)
      bad = [{ 'name' => 'app-a', 'zone' => 'a', 'address' => '10.0.0.1:8080; server evil:80' }]
      expect { described_class.block(bad, **params) }.to raise_error(ArgumentError, /bad upstream token/)
      expect { described_class.block([hosts[0].merge('name' => "app\nx")], **params) }.to raise_error(ArgumentError)
      expect { described_class.block(hosts, **params, fail_timeout: '5s;') }.to raise_error(ArgumentError, /fail_timeout/)
      expect { described_class.block(hosts, **params, keepalive: 'x') }.to raise_error(ArgumentError)
    end
  end

  describe '.from_nodes' do
    # What Chef search returns: the name is the node's, not an attribute.
    node = Struct.new(:name, :attributes) do
      def [](key)
        attributes[key]
      end
    end

    it "uses each node's name, zone and Data Grid interface (else its IP address)" do
      grid = { 'data_grid' => { 'interface' => '10.0.0.22' } }
      nodes = [
        node.new('app-b', { 'timestamp' => { 'zone' => 'b' }, 'timestamp_app' => grid }),
        node.new('app-a', { 'timestamp' => { 'zone' => 'a' }, 'ipaddress' => '10.0.0.21' })
      ]
      list = described_class.list(described_class.from_nodes(nodes, 8080), drained: %w(app-b))
      expect(list).to eq([
                           { 'name' => 'app-a', 'zone' => 'a', 'address' => '10.0.0.21:8080', 'drained' => false },
                           { 'name' => 'app-b', 'zone' => 'b', 'address' => '10.0.0.22:8080', 'drained' => true }
                         ])
    end
  end
end
