# frozen_string_literal: true

module TimestampCommon
  # The hosts of one cluster, listed once per environment under node['timestamp']['hosts']:
  # { 'db-a' => { 'roles' => ['db'], 'zone' => 'a', 'address' => '10.0.0.11' }, ... }, in
  # the cluster's order. Every list a node needs (Group Replication seeds, the members and
  # Routers in the metadata, Router's metadata servers, the Data Grid, nginx's upstreams) is
  # derived from it by the cookbooks' attribute files, so an address is written once.
  class Topology
    def initialize(hosts)
      @hosts = (hosts || {}).to_h { |name, host| [name.to_s, host.to_h] }
    end

    def empty?
      @hosts.empty?
    end

    # [[name, host], ...] of the hosts with this role, in the cluster's order.
    def of(role)
      @hosts.select { |_, host| Array(host['roles']).include?(role) }.to_a
    end

    def host(name)
      @hosts[name.to_s]
    end

    # "address:port" of every host with this role.
    def endpoints(role, port)
      of(role).map { |_, host| "#{host['address']}:#{port}" }
    end

    # A member's server_id: the last number of its IPv4 address, unique within a /24.
    def self.server_id(address)
      Integer(address.to_s.split('.').last)
    end
  end
end
