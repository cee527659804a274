#!/usr/bin/env ruby
# frozen_string_literal: true

# Renders one template of a Chef cookbook the way Chef would, without Chef: the node's
# attributes are what Chef Infra Client would merge (stack.d/local_chef.rb) from the
# cookbooks' attribute files, the environment, the roles and ATTRIBUTES_JSON, which is
# read as `chef-client -j` reads its file (top-level attributes at normal precedence, plus
# `run_list` and `chef_environment`; without a run-list, the cookbook's default recipe).
# The ERB template sees them as `node[...]` plus `@variables`.
#
#   render.rb COOKBOOK_DIR TEMPLATE OUTPUT [ATTRIBUTES_JSON] [VARIABLES_JSON]
require 'erb'
require 'json'
require_relative 'local_chef'

# Read-only view with Chef's `node['a']['b']` access; a missing key is an error,
# so a template never renders an empty value silently.
class NodeView
  def initialize(hash, path = 'node')
    @hash = hash
    @path = path
  end

  def [](key)
    path = "#{@path}['#{key}']"
    raise KeyError, "attribute #{path} is not set" unless @hash.key?(key.to_s)

    value = @hash[key.to_s]
    value.is_a?(Hash) ? NodeView.new(value, path) : value
  end

  def key?(key)
    @hash.key?(key.to_s)
  end

  def to_h
    @hash
  end
end

# What a template sees: `node` and the `@variables` of its template resource.
class TemplateContext
  def initialize(node, variables)
    @node = node
    variables.each { |name, value| instance_variable_set("@#{name}", value) }
  end

  attr_reader :node

  def binding_for_template
    binding
  end
end

cookbook_dir, template, output, attributes_json, variables_json = ARGV
abort 'usage: render.rb COOKBOOK_DIR TEMPLATE OUTPUT [ATTRIBUTES_JSON] [VARIABLES_JSON]' unless output

load_json = ->(path) { path && !path.empty? ? JSON.parse(File.read(path)) : {} }
json_attribs = load_json.call(attributes_json)
json_attribs['run_list'] ||= ["recipe[#{File.basename(cookbook_dir)}]"]
attributes = LocalChef::Node.new(File.expand_path('../..', cookbook_dir), json_attribs).attributes
source = File.join(cookbook_dir, 'templates', template)
source = File.join(cookbook_dir, 'templates', 'default', template) unless File.exist?(source)
erb = ERB.new(File.read(source), trim_mode: '-')
erb.filename = source
context = TemplateContext.new(NodeView.new(attributes), load_json.call(variables_json))
rendered = erb.result(context.binding_for_template)
# like Chef's template resource: an unchanged file is left alone (its mtime tells `./stack up`
# whether a running daemon predates its configuration)
exit if File.exist?(output) && File.read(output) == rendered

File.write("#{output}.tmp", rendered)
File.rename("#{output}.tmp", output)
