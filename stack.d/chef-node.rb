#!/usr/bin/env ruby
# frozen_string_literal: true

# Prints what Chef would give a node of chef/nodes/NAME.json, without Chef:
#   line 1: the cookbooks of its expanded run-list, space-separated
#   line 2: its attributes (JSON) above the cookbook defaults: environment and role
#           default_attributes, then the node's normal attributes, then overrides
#
#   chef-node.rb CHEF_DIR NAME
require 'json'

chef_dir, name = ARGV
abort 'usage: chef-node.rb CHEF_DIR NAME' unless name

def deep_merge(base, extra)
  base.merge(extra) { |_key, old, new| old.is_a?(Hash) && new.is_a?(Hash) ? deep_merge(old, new) : new }
end

load_json = ->(*parts) { JSON.parse(File.read(File.join(chef_dir, *parts))) }
node = load_json.call('nodes', "#{name}.json")
env = node['chef_environment'] ? load_json.call('environments', "#{node['chef_environment']}.json") : {}

roles = []
cookbooks = []
expand = lambda do |run_list|
  run_list.each do |item|
    kind, target = item.match(/\A(role|recipe)\[([^\]]+)\]\z/).captures
    if kind == 'role'
      role = load_json.call('roles', "#{target}.json")
      roles << role
      expand.call(role['run_list'])
    else
      cookbooks << target.split('::').first
    end
  end
end
expand.call(node['run_list'])

# Chef's precedence, lowest first (cookbook attribute files come before all of these).
layers = [env['default_attributes']] + roles.map { |r| r['default_attributes'] } + [node['normal']] +
         roles.map { |r| r['override_attributes'] } + [env['override_attributes']]
attributes = layers.compact.reduce({}) { |acc, layer| deep_merge(acc, layer) }
puts cookbooks.uniq.join(' ')
puts JSON.generate(attributes)
