# frozen_string_literal: true

module TimestampApp
  # The Payara Data Grid members: address:port of every app node, sorted by zone and name.
  module Grid
    def self.members(nodes, port)
      nodes.sort_by { |n| [n['timestamp'] ? n['timestamp']['zone'].to_s : '', n['name'].to_s] }
           .map { |n| "#{n['timestamp_app']['data_grid']['interface']}:#{port}" }
           .uniq
    end
  end
end
