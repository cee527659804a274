# frozen_string_literal: true

module TimestampLb
  # nginx's upstream entries (name, zone, address:port, drained): the site template builds
  # them with Upstreams.list from node['timestamp_lb']['upstreams'] and ['drained'], on a
  # Chef node and on the local cluster alike.
  module Upstreams
    # The entries ordered by zone, then name; each drained (kept in the list, marked down,
    # so nginx takes it out of rotation without forgetting it) if its name is in drained or
    # the entry itself says so.
    def self.list(hosts, drained: [])
      names = drained.map(&:to_s)
      hosts.map { |host| host.to_h.transform_keys(&:to_s) }
           .sort_by { |u| [u['zone'].to_s, u['name'].to_s] }
           .map { |u| u.merge('drained' => u['drained'] == true || names.include?(u['name'].to_s)) }
    end

    # Entries (unordered) for app nodes found by search: the node's name, zone and the
    # address it serves on (its Data Grid interface, else its IP address).
    def self.from_nodes(nodes, port)
      nodes.map do |n|
        zone = n['timestamp'] ? n['timestamp']['zone'].to_s : ''
        { 'name' => name_of(n), 'zone' => zone, 'address' => "#{address_of(n)}:#{port}" }
      end
    end

    # A Chef::Node's name is not one of its attributes (node['name'] is nil); a search
    # result given as a hash carries it as a key.
    def self.name_of(node)
      (node.respond_to?(:name) ? node.name : node['name']).to_s
    end

    def self.address_of(node)
      grid = node['timestamp_app'] && node['timestamp_app']['data_grid']
      grid ? grid['interface'] : node['ipaddress']
    end
  end
end
