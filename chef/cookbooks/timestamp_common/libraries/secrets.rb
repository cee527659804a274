# frozen_string_literal: true

module TimestampCommon
  # Reads the cluster's secrets: node attributes set at bootstrap win (chef-solo, kitchen),
  # else the data bag item (encrypted data bags are decrypted with the node's secret file).
  module Secrets
    NAMES = %w(mysql_root_password mysql_replication_password mysql_router_password mysql_probe_password
               mysql_backup_password backup_vault_password db_migration_password db_password router_keyring_master_key).freeze

    def timestamp_secret(name)
      raise ArgumentError, "unknown secret #{name}" unless NAMES.include?(name)

      from_node = node['timestamp']['secrets'][name]
      return from_node unless from_node.nil? || from_node.to_s.empty?

      bag = node['timestamp']['secrets']['data_bag']
      item = data_bag_item(bag, node['timestamp']['secrets']['item'])
      value = item[name]
      raise "secret #{name} is missing from data bag item #{bag}/#{node['timestamp']['secrets']['item']}" if value.to_s.empty?

      value
    end
  end
end

# Loaded by Chef: recipes and resources call timestamp_secret. (The local cluster loads the
# cookbooks' libraries without Chef and passes its secrets itself.)
if defined?(Chef::DSL::Recipe)
  Chef::DSL::Recipe.include(TimestampCommon::Secrets)
  Chef::Resource.include(TimestampCommon::Secrets)
end
