# frozen_string_literal: true

# MySQL Router's keyring holding the metadata account's password, encrypted with the
# master key that the master-key reader prints. Guarded by the real keyring: it is
# (re)created only when it does not open with this key or holds another password.
provides :timestamp_router_keyring
unified_mode true

property :path, String, name_property: true
property :mysqlrouter_keyring, String, default: '/usr/bin/mysqlrouter_keyring'
property :master_key_reader, String, required: true
property :account, String, default: 'router_meta'
property :password, String, sensitive: true, required: true
property :owner, String, default: 'mysqlrouter'

action_class do
  def keyring_password
    out = shell_out(new_resource.mysqlrouter_keyring, 'get', new_resource.path, new_resource.account, 'password',
                    '--master-key-reader', new_resource.master_key_reader, user: new_resource.owner)
    out.error? ? nil : out.stdout.chomp
  end
end

action :create do
  unless ::File.exist?(new_resource.path) && keyring_password == new_resource.password
    converge_by "store #{new_resource.account}'s password in #{new_resource.path}" do
      ::FileUtils.rm_f(new_resource.path)
      shell_out!(new_resource.mysqlrouter_keyring, 'init', new_resource.path,
                 '--master-key-reader', new_resource.master_key_reader, user: new_resource.owner)
      shell_out!(new_resource.mysqlrouter_keyring, 'set', new_resource.path, new_resource.account, 'password',
                 '--master-key-reader', new_resource.master_key_reader,
                 input: "#{new_resource.password}\n", user: new_resource.owner, sensitive: true)
    end
  end
end
