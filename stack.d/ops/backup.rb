# frozen_string_literal: true

# Backups and restores for ./stack, run by the timestamp_backup cookbook's classes with the
# backup host's own rendered settings (STACK_BACKUP_CONFIG: its backup.json) and the
# operators' age identity (STACK_BACKUP_IDENTITY), which never lives on the backup host.
require 'time'

module Ops
  module Backup
    def self.settings
      @settings ||= JSON.parse(File.read(Ops.env!('STACK_BACKUP_CONFIG'))).fetch('settings')
                        .merge('identity_file' => ENV.fetch('STACK_BACKUP_IDENTITY', nil))
    end

    def self.sql
      TimestampCommon::MysqlClient.new(TimestampCommon::CommandRunner.new, client: settings.fetch('mysql_client'))
    end

    def self.restore
      TimestampBackup::Restore.new(sql:, settings:, log: Ops.method(:log))
    end

    def self.catalog
      TimestampBackup::Catalog.new(TimestampBackup::Store.new(settings.fetch('store_dir')),
                                   TimestampBackup::Archive.new(settings.fetch('archive_dir')))
    end

    def self.target(kind, value)
      case kind
      when '--latest' then TimestampBackup::Catalog::Target.latest
      when '--to'
        value.to_s.match?(/\A\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d{1,6})?\z/) or
          raise ArgumentError, "--to wants 'YYYY-MM-DD HH:MM:SS[.ffffff]' (UTC), not #{value.inspect}"
        format = value.include?('.') ? '%Y-%m-%d %H:%M:%S.%N %Z' : '%Y-%m-%d %H:%M:%S %Z'
        TimestampBackup::Catalog::Target.at(Time.strptime("#{value.tr('T', ' ')} UTC", format))
      when '--before-gtid'
        value.to_s.match?(/\A\h{8}-\h{4}-\h{4}-\h{4}-\h{12}:\d+\z/) or
          raise ArgumentError, "--before-gtid wants UUID:N, not #{value.inspect}"
        TimestampBackup::Catalog::Target.before(value.downcase)
      else raise ArgumentError, 'restore wants --to TIME, --before-gtid UUID:N or --latest'
      end
    end

    def self.age(seconds)
      return "#{seconds.round} s" if seconds < 120
      return "#{(seconds / 60).round} min" if seconds < 7200

      "#{(seconds / 3600.0).round(1)} h"
    end
  end

  command('backup', 'list', '   each backup with its size, age, its copy in the vault and the time range a restore ' \
                            'from it reaches') do
    copies = begin
      TimestampBackup::Vault.new(TimestampCommon::CommandRunner.new, Backup.settings.fetch('vault'),
                                 work_dir: Backup.settings.fetch('work_dir')).backup_ids
    rescue StandardError => e
      Ops.log("the vault does not answer: #{e.message}")
      nil
    end
    rows = Backup.catalog.restorable.map do |r|
      b = r['backup']
      ended = Time.parse(b['ended_at'])
      reach = r['problem'] ||
              "#{ended.utc.strftime('%F %T')} .. #{r['until'].utc.strftime('%F %T.%6N')} (+#{r['transactions']} tx)"
      copy = if copies.nil? then '?'
             elsif copies.include?(b['id']) then 'yes'
             else
               'NO'
             end
      [b['id'], b['timeline'], b['source']['member'], Backup.age(Time.now - ended), b['data_bytes'], b['archive_bytes'],
       copy, b['rows'].values.sum, reach]
    end
    header = 'ID TIMELINE SOURCE AGE DATA_BYTES STORED_BYTES IN_VAULT ROWS RESTORABLE(UTC)'.split
    puts(([header] + rows).map { |r| r.join("\t") })
  end

  command('backup', 'plan', '--to TIME | --before-gtid UUID:N | --latest   choose the backup and the archived ' \
                            'transactions (saved for the next steps)') do |kind, value|
    plan = Backup.restore.plan(Backup.target(kind, value))
    Ops.log("target: #{plan['target']}; timeline #{plan['timeline']}, backup #{plan['backup']}, " \
            "then #{plan['transactions']} archived transactions in #{plan['files'].size} files")
    last = plan['last']
    Ops.log(last ? "last restored: #{last['gtid']}, committed #{last['committed_at']}" : 'the backup alone')
    Ops.log('the target lies beyond the archive: everything archived is restored') unless plan['reached']
  end

  command('backup', 'unpack', 'DATADIR   the planned backup into a stopped member\'s data directory') do |datadir|
    Backup.restore.unpack(datadir)
  end

  command('backup', 'replay', 'ROOT_CNF   the planned archived transactions, on the member running alone') do |cnf|
    Backup.restore.replay(TimestampCommon::MysqlEndpoint.new(label: 'restored member', defaults_file: cnf))
  end

  command('backup', 'finish', 'ROOT_CNF   burn the old history\'s later GTIDs; the archive starts a new timeline') do |cnf|
    puts Backup.restore.finish(TimestampCommon::MysqlEndpoint.new(label: 'restored member', defaults_file: cnf))['id']
  end
end
