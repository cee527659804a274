# frozen_string_literal: true

require 'json'
require 'time'

module TimestampBackup
  # The operators' commands over backups and restores, one implementation for both seats:
  # the `timestamp-backup` command the recipe installs on the backup host
  # (files/default/timestamp_backup_tool.rb) and ./stack (stack.d/ops/backup.rb).
  #
  #   list                                        each backup, its copy in the vault, its reach
  #   plan --to TIME | --before-gtid UUID:N | --latest
  #   unpack DATADIR                              (a stopped member's data directory)
  #   replay ROOT_CNF                             (the member running alone)
  #   finish ROOT_CNF
  #
  # settings: a backup.json's settings, plus 'identity_file' (the operators' age identity)
  # for unpack.
  class Tool
    TIME = /\A\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d{1,6})?\z/
    GTID = /\A\h{8}-\h{4}-\h{4}-\h{4}-\h{12}:\d+\z/

    def initialize(settings, log: ->(line) { warn "    #{line}" }, out: $stdout)
      @s = settings
      @log = log
      @out = out
      @runner = TimestampCommon::CommandRunner.new
      @sql = TimestampCommon::MysqlClient.new(@runner, client: settings.fetch('mysql_client'))
    end

    def self.target(kind, value)
      case kind
      when '--latest' then Catalog::Target.latest
      when '--to'
        value.to_s.match?(TIME) or raise ArgumentError, "--to wants 'YYYY-MM-DD HH:MM:SS[.ffffff]' (UTC), not #{value.inspect}"
        format = value.include?('.') ? '%Y-%m-%d %H:%M:%S.%N %Z' : '%Y-%m-%d %H:%M:%S %Z'
        Catalog::Target.at(Time.strptime("#{value.tr('T', ' ')} UTC", format))
      when '--before-gtid'
        value.to_s.match?(GTID) or raise ArgumentError, "--before-gtid wants UUID:N, not #{value.inspect}"
        Catalog::Target.before(value.downcase)
      else raise ArgumentError, 'restore wants --to TIME, --before-gtid UUID:N or --latest'
      end
    end

    def self.age(seconds)
      return "#{seconds.round} s" if seconds < 120
      return "#{(seconds / 60).round} min" if seconds < 7200

      "#{(seconds / 3600.0).round(1)} h"
    end

    def list
      copies = vault_ids
      rows = catalog.restorable.map { |r| list_row(r, copies) }
      header = 'ID TIMELINE SOURCE AGE DATA_BYTES STORED_BYTES IN_VAULT ROWS RESTORABLE(UTC)'.split
      @out.puts(([header] + rows).map { |r| r.join("\t") })
    end

    def plan(kind, value = nil)
      plan = restore.plan(Tool.target(kind, value))
      @log.call("target: #{plan['target']}; timeline #{plan['timeline']}, backup #{plan['backup']}, " \
                "then #{plan['transactions']} archived transactions in #{plan['files'].size} files")
      last = plan['last']
      @log.call(last ? "last restored: #{last['gtid']}, committed #{last['committed_at']}" : 'the backup alone')
      @log.call('the target lies beyond the archive: everything archived is restored') unless plan['reached']
    end

    def unpack(datadir)
      restore.unpack(datadir)
    end

    def replay(root_cnf)
      restore.replay(member(root_cnf))
    end

    def finish(root_cnf)
      @out.puts restore.finish(member(root_cnf))['id']
    end

    private

    def restore
      Restore.new(sql: @sql, settings: @s, log: @log)
    end

    def catalog
      Catalog.new(Store.new(@s.fetch('store_dir')), Archive.new(@s.fetch('archive_dir')))
    end

    def member(root_cnf)
      TimestampCommon::MysqlEndpoint.new(label: 'restored member', defaults_file: root_cnf)
    end

    def vault_ids
      Vault.new(@runner, @s.fetch('vault'), work_dir: @s.fetch('work_dir')).backup_ids
    rescue StandardError => e
      @log.call("the vault does not answer: #{e.message}")
      nil
    end

    def list_row(restorable, copies)
      b = restorable['backup']
      ended = Time.parse(b['ended_at'])
      reach = restorable['problem'] ||
              "#{ended.utc.strftime('%F %T')} .. #{restorable['until'].utc.strftime('%F %T.%6N')} " \
              "(+#{restorable['transactions']} tx)"
      [b['id'], b['timeline'], b['source']['member'], Tool.age(Time.now - ended), b['data_bytes'], b['archive_bytes'],
       in_vault(copies, b['id']), b['rows'].values.sum, reach]
    end

    def in_vault(copies, id)
      return '?' if copies.nil?

      copies.include?(id) ? 'yes' : 'NO'
    end
  end
end
