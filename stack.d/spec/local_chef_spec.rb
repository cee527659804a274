# frozen_string_literal: true

require 'fileutils'
require 'tmpdir'

require_relative '../local_chef'

describe LocalChef do
  let(:chef_dir) { File.expand_path('../../chef', __dir__) }
  let(:node) { ->(name) { LocalChef::Node.from_file(chef_dir, File.join(chef_dir, 'nodes', "#{name}.json")).attributes } }

  describe 'merging as Chef does' do
    it 'merges arrays within one precedence level and replaces them across levels' do
      expect(described_class.deep_merge({ 'l' => [1, 2], 'h' => { 'a' => 1 } }, { 'l' => [2, 3], 'h' => { 'b' => 2 } }))
        .to eq('l' => [1, 2, 3], 'h' => { 'a' => 1, 'b' => 2 })
      expect(described_class.hash_only_merge({ 'l' => [1, 2], 'h' => { 'a' => 1 } }, { 'l' => [3], 'h' => { 'b' => 2 } }))
        .to eq('l' => [3], 'h' => { 'a' => 1, 'b' => 2 })
    end

    it 'orders the components: defaults env < role, overrides role < env, then normal and override levels' do
      Dir.mktmpdir do |dir|
        %w(environments roles cookbooks/c/attributes).each { |d| FileUtils.mkdir_p(File.join(dir, d)) }
        File.write(File.join(dir, 'cookbooks/c/metadata.rb'), "name 'c'\n")
        File.write(File.join(dir, 'cookbooks/c/attributes/default.rb'),
                   "default['c']['d'] = 'cookbook'\ndefault['c']['l'] = ['cookbook']\noverride['c']['o'] = 'cookbook'\n")
        File.write(File.join(dir, 'environments/e.json'),
                   JSON.generate('default_attributes' => { 'c' => { 'd' => 'env', 'l' => ['env'], 'n' => 'env' } },
                                 'override_attributes' => { 'c' => { 'o' => 'env' } }))
        File.write(File.join(dir, 'roles/r.json'),
                   JSON.generate('run_list' => ['recipe[c]'], 'default_attributes' => { 'c' => { 'd' => 'role' } },
                                 'override_attributes' => { 'c' => { 'o' => 'role' } }))
        json_attribs = { 'chef_environment' => 'e', 'run_list' => ['role[r]'], 'c' => { 'n' => 'normal', 'o' => 'normal' } }
        attrs = LocalChef::Node.new(dir, json_attribs).attributes['c']
        expect(attrs).to include('d' => 'role', 'l' => %w(cookbook env), 'n' => 'normal', 'o' => 'env')
      end
    end
  end

  describe 'the three-zone nodes (chef/nodes, environment three_zones)' do
    it 'gives every member exactly the environment’s seeds, members and routers, and its own identity' do
      db = node.call('db-b')['timestamp_db']
      expect(db['group_replication']['seeds']).to eq %w(10.0.0.11:33061 10.0.0.12:33061 10.0.0.13:33061)
      expect(db['members'].map { |m| m['name'] }).to eq %w(db-a db-b db-c)
      expect(db['routers'].map { |r| r['id'] }).to eq [1, 2]
      expect(db.values_at('server_id', 'report_host')).to eq [12, '10.0.0.12']
    end

    it 'gives app hosts only the environment’s metadata servers and Data Grid members' do
      attrs = node.call('app-a')
      expect(attrs['timestamp_router']['metadata_servers']).to eq %w(10.0.0.11:3306 10.0.0.12:3306 10.0.0.13:3306)
      expect(attrs['timestamp_app']['data_grid']['members']).to eq %w(10.0.0.21:6900 10.0.0.22:6900)
      expect(attrs['timestamp_router']['router_id']).to eq 1
    end

    it 'gives the edge only the environment’s upstreams' do
      expect(node.call('lb')['timestamp_lb']['upstreams'].map { |u| u['address'] }).to eq %w(10.0.0.21:8080 10.0.0.22:8080)
    end
  end

  describe 'the node files are what `chef-client -j` reads' do
    it 'reads attributes at the top level and refuses the node-object shape, which -j would ignore' do
      node_object = { 'run_list' => ['role[timestamp_db]'], 'normal' => { 'timestamp_db' => {} } }
      expect { LocalChef::Node.new(chef_dir, node_object) }
        .to raise_error(ArgumentError, /chef-client -j applies none of it/)
      Dir[File.join(chef_dir, 'nodes', '*.json')].each do |file|
        expect(JSON.parse(File.read(file)).keys).not_to include('normal', 'default', 'override', 'automatic')
      end
    end
  end
end
