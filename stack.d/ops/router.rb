# frozen_string_literal: true

# MySQL Router's operations for ./stack (stack.d/router.sh), on the timestamp_router
# cookbook's library: the same code as Chef's timestamp_router_keyring.

# The metadata account's password, from $MYSQL_ROUTER_PASSWORD (a secret never goes on a
# command line), in the keyring at PATH, unless it holds it already. KEYRING_COMMAND...:
# mysqlrouter_keyring's argv (in the local cluster, the MySQL prefix's loader line).
Ops.command('router', 'keyring', 'PATH MASTER_KEY_READER ACCOUNT KEYRING_COMMAND...') do |path, reader, account, *command|
  raise ArgumentError, 'expected PATH MASTER_KEY_READER ACCOUNT KEYRING_COMMAND...' if command.empty?

  keyring = TimestampRouter::Keyring.new(TimestampCommon::CommandRunner.new,
                                         keyring_cmd: command, path:, master_key_reader: reader, account:)
  password = Ops.env!('MYSQL_ROUTER_PASSWORD')
  change = keyring.plan(password)
  if change
    Ops.log(change)
    keyring.store!(password)
  end
rescue RuntimeError => e
  Ops.fail!(e.message)
end
