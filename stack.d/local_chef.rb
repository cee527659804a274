# frozen_string_literal: true

require 'json'

# The attributes Chef Infra Client gives a node, without Chef: the cookbooks' attribute
# files, the environment's and roles' attributes and the node's own (`chef-client -j`)
# merged with Chef's precedence and merge rules (Chef::Node::Attribute):
# - within one precedence level (default: cookbook files, then the environment, then the
#   roles; override: cookbook files, then the roles, then the environment) hashes merge
#   deeply and ARRAYS MERGE (a union, the lower component's items first);
# - across levels (default < normal < override < automatic) hashes merge deeply and any
#   other value, arrays included, is REPLACED by the higher level's.
module LocalChef
  # Merge within a level (Chef's deep_merge!).
  def self.deep_merge(onto, with)
    if onto.is_a?(Hash) && with.is_a?(Hash)
      onto.merge(with) { |_key, old, new| deep_merge(old, new) }
    elsif onto.is_a?(Array) && with.is_a?(Array)
      onto | with
    else
      with
    end
  end

  # Merge across levels (Chef's hash_only_merge!).
  def self.hash_only_merge(onto, with)
    return with unless onto.is_a?(Hash) && with.is_a?(Hash)

    onto.merge(with) { |_key, old, new| hash_only_merge(old, new) }
  end

  # A cookbook's attribute files' DSL: default[...]/override[...] writes, and node[...] reads
  # of everything merged so far (the environment, roles and the node's own attributes are
  # there before the first attribute file runs, as in Chef).
  class AttributeFile
    def self.tree
      Hash.new { |hash, key| hash[key] = Hash.new(&hash.default_proc) }
    end

    attr_reader :default, :override

    # merged: ->(file_defaults, file_overrides) { the node's attributes with them }
    def initialize(merged)
      @default = self.class.tree
      @override = self.class.tree
      @merged = merged
    end

    def node
      @merged.call(LocalChef.plain(@default), LocalChef.plain(@override))
    end

    def load(file)
      instance_eval(File.read(file), file)
      self
    end
  end

  def self.plain(hash)
    hash.to_h { |key, value| [key.to_s, value.is_a?(Hash) ? plain(value) : value] }
  end

  # What Ohai would report that the attribute files read (the machines here are Debian).
  AUTOMATIC = { 'platform' => 'debian', 'platform_family' => 'debian', 'platform_version' => '12' }.freeze

  # One node: its run-list (expanded through roles), its environment, the cookbooks that
  # run-list needs (with their dependencies, dependencies first) and its attributes.
  class Node
    attr_reader :cookbooks, :recipes, :attributes

    # json_attribs: what `chef-client -j FILE` reads: attributes at the top level (normal
    # precedence), plus `run_list` and `chef_environment`.
    def initialize(chef_dir, json_attribs, automatic: AUTOMATIC)
      @chef_dir = chef_dir
      if json_attribs.key?('normal') || json_attribs.key?('json_class')
        raise ArgumentError, 'a node object ({"normal": ...}): chef-client -j applies none of it; put attributes at the top level'
      end

      normal = json_attribs.except('run_list', 'chef_environment', 'name')
      env = json_attribs['chef_environment'] ? read('environments', json_attribs['chef_environment']) : {}
      roles = []
      recipes = []
      expand(Array(json_attribs['run_list']), roles, recipes)
      @recipes = recipes.uniq
      @cookbooks = with_dependencies(recipes.map { |r| r.split('::').first }.uniq)
      @attributes = merge(normal, env, roles, automatic)
    end

    def self.from_file(chef_dir, file)
      new(chef_dir, JSON.parse(File.read(file)))
    end

    private

    def read(kind, name)
      JSON.parse(File.read(File.join(@chef_dir, kind, "#{name}.json")))
    end

    def expand(run_list, roles, recipes)
      run_list.each do |item|
        match = item.match(/\A(role|recipe)\[([^\]]+)\]\z/) or raise ArgumentError, "bad run-list item #{item}"
        kind, target = match.captures
        next recipes << target if kind == 'recipe'

        role = read('roles', target)
        roles << role
        expand(Array(role['run_list']), roles, recipes)
      end
    end

    def with_dependencies(names, seen = [])
      names.each do |name|
        next if seen.include?(name)

        metadata = File.read(File.join(@chef_dir, 'cookbooks', name, 'metadata.rb'))
        with_dependencies(metadata.scan(/^depends\s+'([^']+)'/).flatten, seen)
        seen << name
      end
      seen
    end

    def merge(normal, env, roles, automatic)
      merged = lambda do |file_default, file_override|
        default = [file_default, env['default_attributes'] || {},
                   *roles.map { |r| r['default_attributes'] || {} }].reduce { |a, b| LocalChef.deep_merge(a, b) }
        override = [file_override, *roles.map { |r| r['override_attributes'] || {} },
                    env['override_attributes'] || {}].reduce { |a, b| LocalChef.deep_merge(a, b) }
        [default, normal, override, automatic].reduce { |a, b| LocalChef.hash_only_merge(a, b) }
      end
      # Chef loads every cookbook's libraries, then every cookbook's attribute files.
      cookbook_files('libraries/*.rb').each { |file| require File.expand_path(file) }
      files = AttributeFile.new(merged)
      cookbook_files('attributes/default.rb').each { |file| files.load(file) }
      merged.call(LocalChef.plain(files.default), LocalChef.plain(files.override))
    end

    def cookbook_files(pattern)
      @cookbooks.flat_map { |name| Dir[File.join(@chef_dir, 'cookbooks', name, pattern)] }
    end
  end
end
