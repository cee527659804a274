# frozen_string_literal: true

# The edge's operations for ./stack (stack.d/lb.sh), on the timestamp_lb cookbook's
# library: the same upstream list as the recipe's.

# nginx's upstream list as JSON (the site template's node['timestamp_lb']['upstreams']):
# one entry per NAME ZONE ADDRESS:PORT triple, ordered by zone, drained if its name is a
# line of DRAINED_FILE (no file: none drained).
Ops.command('lb', 'upstreams', 'DRAINED_FILE NAME ZONE ADDRESS:PORT [NAME ZONE ADDRESS:PORT]...') do |drained_file, *hosts|
  raise ArgumentError, 'expected DRAINED_FILE and NAME ZONE ADDRESS:PORT triples' if hosts.empty? || hosts.length % 3 != 0

  entries = hosts.each_slice(3).map { |name, zone, address| { 'name' => name, 'zone' => zone, 'address' => address } }
  drained = File.exist?(drained_file) ? File.readlines(drained_file, chomp: true).reject(&:empty?) : []
  puts JSON.generate(TimestampLb::Upstreams.list(entries, drained:))
end
