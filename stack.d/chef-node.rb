#!/usr/bin/env ruby
# frozen_string_literal: true

# What Chef would run for a node given its `chef-client -j` file (chef/nodes/NAME.json):
#   line 1: the recipes of its expanded run-list, in order, space-separated
#   line 2: the file itself (JSON), for render.rb, which merges it as Chef does
#
#   chef-node.rb CHEF_DIR NAME
require 'json'
require_relative 'local_chef'

chef_dir, name = ARGV
abort 'usage: chef-node.rb CHEF_DIR NAME' unless name

json_attribs = JSON.parse(File.read(File.join(chef_dir, 'nodes', "#{name}.json")))
puts LocalChef::Node.new(chef_dir, json_attribs).recipes.join(' ')
puts JSON.generate(json_attribs)
