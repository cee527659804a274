# frozen_string_literal: true

# The operators' `timestamp-backup` command on a backup host (installed by recipe
# timestamp_backup): TimestampBackup::Tool's commands with the host's backup settings.
#
#   RUBY timestamp_backup_tool.rb /etc/timestamp-backup/backup.json [--identity FILE] COMMAND ARGS...
#     list | plan --to TIME | plan --before-gtid UUID:N | plan --latest
#     unpack DATADIR | replay ROOT_CNF | finish ROOT_CNF            (see the cookbook README)
require 'json'

config_file, *argv = ARGV
abort 'usage: timestamp_backup_tool.rb BACKUP_JSON [--identity FILE] COMMAND ARGS...' unless config_file
identity = nil
identity = argv.slice!(0, 2).last if argv.first == '--identity'
config = JSON.parse(File.read(config_file))
config.fetch('lib_dirs').each { |dir| Dir[File.join(dir, '*.rb')].each { |file| require file } }
command, *args = argv
tool = TimestampBackup::Tool.new(config.fetch('settings').merge('identity_file' => identity))
commands = %w(list plan unpack replay finish)
abort "unknown command #{command.inspect} (#{commands.join(', ')})" unless commands.include?(command)
begin
  tool.public_send(command, *args)
rescue StandardError => e
  abort "error: #{command}: #{e.message}"
end
