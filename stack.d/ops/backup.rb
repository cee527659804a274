# frozen_string_literal: true

# Backups and restores for ./stack: the commands of the cookbook's TimestampBackup::Tool
# (the `timestamp-backup` command of a real backup host) with the backup host's own rendered
# settings (STACK_BACKUP_CONFIG: its backup.json) and the operators' age identity
# (STACK_BACKUP_IDENTITY), which never lives on the backup host.
module Ops
  def self.backup_tool
    settings = JSON.parse(File.read(Ops.env!('STACK_BACKUP_CONFIG'))).fetch('settings')
    TimestampBackup::Tool.new(settings.merge('identity_file' => ENV.fetch('STACK_BACKUP_IDENTITY', nil)),
                              log: method(:log))
  end

  command('backup', 'list', '   each backup: size, age, its copy in the vault, the time range a restore from it reaches') do
    Ops.backup_tool.list
  end
  command('backup', 'plan', '--to TIME | --before-gtid UUID:N | --latest   the backup and the archived transactions ' \
                            'to replay (saved for the next steps)') do |kind, value|
    Ops.backup_tool.plan(kind, value)
  end
  command('backup', 'unpack', 'DATADIR   the planned backup into a stopped member\'s data directory') do |datadir|
    Ops.backup_tool.unpack(datadir)
  end
  command('backup', 'replay', 'ROOT_CNF   the planned transactions, on the member running alone') do |cnf|
    Ops.backup_tool.replay(cnf)
  end
  command('backup', 'finish', 'ROOT_CNF   burn the old history\'s later GTIDs; the archive starts a new timeline') do |cnf|
    Ops.backup_tool.finish(cnf)
  end
end
