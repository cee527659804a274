# frozen_string_literal: true

# MySQL Router's keyring holding the metadata account's password, encrypted with the
# master key that the master-key reader prints. Guarded by the real keyring: it is
# (re)created only when it does not open with this key, holds another password or belongs
# to another user. The work is TimestampRouter::Keyring's (libraries/keyring.rb), which the
# local cluster runs too; it runs the commands as root and gives the file to the owner.
provides :timestamp_router_keyring
unified_mode true

property :path, String, name_property: true
property :mysqlrouter_keyring, String, default: '/usr/bin/mysqlrouter_keyring'
property :master_key_reader, String, required: true
property :account, String, default: 'router_meta'
property :password, String, sensitive: true, required: true
property :owner, String, default: 'mysqlrouter'

action :create do
  keyring = TimestampRouter::Keyring.new(TimestampCommon::CommandRunner.new,
                                         keyring_cmd: new_resource.mysqlrouter_keyring, path: new_resource.path,
                                         master_key_reader: new_resource.master_key_reader,
                                         account: new_resource.account, owner: new_resource.owner)
  # In why-run the query still runs: a mysqlrouter_keyring not installed yet reads as
  # "would store", never as an error.
  change = keyring.plan(new_resource.password)
  converge_by(change) { keyring.store!(new_resource.password) } if change
end
