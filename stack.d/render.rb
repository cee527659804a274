#!/usr/bin/env ruby
# frozen_string_literal: true

# Renders one template of a Chef cookbook the way Chef would, without Chef:
# the cookbook's attributes/default.rb supplies the defaults, a JSON file of
# node attributes overrides them (as a role, environment or node JSON would),
# and the ERB template sees them as `node[...]` plus `@variables`.
#
#   render.rb COOKBOOK_DIR TEMPLATE OUTPUT [ATTRIBUTES_JSON] [VARIABLES_JSON]
require 'erb'
require 'json'

# The subset of Chef's attribute API that attributes files use: `default[...]`,
# `override[...]` and `node[...]` reads, with hashes created on first use.
class Attributes
  def self.tree
    Hash.new { |hash, key| hash[key] = Hash.new(&hash.default_proc) }
  end

  attr_reader :merged

  def initialize(cookbook_dir, overrides)
    @default = self.class.tree
    file = File.join(cookbook_dir, 'attributes', 'default.rb')
    instance_eval(File.read(file), file) if File.exist?(file)
    @merged = deep_merge(plain(@default), overrides)
  end

  def default
    @default
  end
  alias node default

  private

  def plain(hash)
    hash.to_h { |key, value| [key.to_s, value.is_a?(Hash) ? plain(value) : value] }
  end

  def deep_merge(base, extra)
    base.merge(extra) { |_key, old, new| old.is_a?(Hash) && new.is_a?(Hash) ? deep_merge(old, new) : new }
  end
end

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
attributes = Attributes.new(cookbook_dir, load_json.call(attributes_json)).merged
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
