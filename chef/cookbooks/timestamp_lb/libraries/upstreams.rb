# frozen_string_literal: true

module TimestampLb
  # nginx upstream entries from app nodes found by search, grouped by zone (zone, then name).
  module Upstreams
    def self.address_of(node)
      grid = node['timestamp_app'] && node['timestamp_app']['data_grid']
      grid ? grid['interface'] : node['ipaddress']
    end

    def self.from_nodes(nodes, port)
      upstreams = nodes.map do |n|
        zone = n['timestamp'] ? n['timestamp']['zone'].to_s : ''
        { 'name' => n['name'].to_s, 'zone' => zone, 'address' => "#{address_of(n)}:#{port}" }
      end
      upstreams.sort_by { |u| [u['zone'], u['name']] }
    end
  end
end
