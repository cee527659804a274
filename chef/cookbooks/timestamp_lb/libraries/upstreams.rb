# frozen_string_literal: true

module TimestampLb
  # nginx upstream entries from app nodes found by search, grouped by zone (zone, then name).
  module Upstreams
    def self.from_nodes(nodes, port)
      nodes.map do |n|
        address = n['timestamp_app'] && n['timestamp_app']['data_grid'] ? n['timestamp_app']['data_grid']['interface'] : n['ipaddress']
        { 'name' => n['name'].to_s, 'zone' => n['timestamp'] ? n['timestamp']['zone'].to_s : '', 'address' => "#{address}:#{port}" }
      end.sort_by { |u| [u['zone'], u['name']] }
    end
  end
end
