# frozen_string_literal: true

module TimestampLb
  # nginx's upstream entries (name, zone, address:port, drained) and the upstream block made
  # of them: the upstreams template builds them with Upstreams.list from
  # node['timestamp_lb']['upstreams'] and ['drained'], on a Chef node and on the local cluster
  # alike; the readiness gate (TimestampLb::Gate) rewrites the block with Upstreams.block.
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

    # The whole `upstream timestamp_app { ... }` block nginx balances over, from entries in
    # the order given (Upstreams.list's): one server line per entry, `down` when the entry is
    # drained (an operator's choice) or not_ready (the readiness gate's verdict), with the
    # reason in its comment. Chef's initial file and the gate's rewrites are both this text,
    # so the gate changes the file only when the rotation changes.
    def self.block(entries, max_fails:, fail_timeout:, keepalive:)
      raise ArgumentError, 'no upstreams: nginx rejects an upstream block without servers' if entries.empty?
      raise ArgumentError, "bad fail_timeout #{fail_timeout.inspect}" unless fail_timeout.to_s.match?(/\A\d+[a-z]*\z/)

      servers = entries.map { |entry| server_line(entry.to_h.transform_keys(&:to_s), max_fails, fail_timeout) }
      <<~BLOCK
        # The app instances (cookbook timestamp_lb, TimestampLb::Upstreams.block): rendered by
        # Chef when missing, then rewritten by the readiness gate (timestamp-lb-gate) whenever
        # an instance enters or leaves rotation. `down`: drained by an operator, or not ready.
        upstream timestamp_app {
        #{servers.join("\n")}
          keepalive #{Integer(keepalive)};
        }
      BLOCK
    end

    # An address nginx reads as one token (host:port, [v6]:port), a name and zone that keep
    # the comment on its line.
    TOKEN = /\A[\w.:\[\]-]+\z/

    def self.server_line(entry, max_fails, fail_timeout)
      address, name, zone = entry.values_at('address', 'name', 'zone').map(&:to_s)
      [address, name].each { |token| raise ArgumentError, "bad upstream token #{token.inspect}" unless token.match?(TOKEN) }
      raise ArgumentError, "bad zone #{zone.inspect}" unless zone.empty? || zone.match?(TOKEN)

      why = if entry['drained'] == true then ', drained'
            elsif entry['not_ready'] == true then ', not ready'
            end
      "  server #{address} max_fails=#{Integer(max_fails)} fail_timeout=#{fail_timeout}#{' down' if why}; " \
        "# #{name}, zone #{zone}#{why}"
    end
    private_class_method :server_line

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
