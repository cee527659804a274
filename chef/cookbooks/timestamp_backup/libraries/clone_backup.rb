# frozen_string_literal: true

require 'json'
require 'time'

module TimestampBackup
  # Takes one full backup of the group without loading its primary: a remote clone of an
  # ONLINE SECONDARY into a new directory of the backup host's own short-lived mysqld (the
  # data travels once, over the network, with no agent on the member's host), then a check
  # of the copy (started with no network and no grants: its transaction set and row counts),
  # a manifest (transaction set, donor and its binlog position after the clone, times, sizes,
  # a SHA-256 of every file), and tar | zstd | age into the store. See the cookbook README.
  class CloneBackup
    CLONE_TIMEOUT_S = 3600

    def self.from_config(settings)
      runner = TimestampCommon::CommandRunner.new
      sql = TimestampCommon::MysqlClient.new(runner, client: settings.fetch('mysql_client'))
      new(sql:, runner:, settings:, log: ->(line) { puts "#{Time.now.utc.iso8601} backup: #{line}" })
    end

    # settings: see templates/default/timestamp-backup.json.erb
    def initialize(sql:, runner:, settings:, log: ->(_line) {})
      @sql = sql
      @runner = runner
      @s = settings
      @log = log
      @store = Store.new(settings.fetch('store_dir'))
      @work = settings.fetch('work_dir')
    end

    # The systemd service's one run: a backup, retention, then the copy to the vault (the
    # backups mirrored, the archive brought up to date); the manifest is returned.
    def run
      started = Time.now
      manifest = take
      pruned = @store.prune(keep: Integer(@s.fetch('keep')))
      @log.call("removed old backup #{pruned.join(', ')} (keeping #{@s['keep']})") unless pruned.empty?
      gone = Archive.new(@s.fetch('archive_dir')).prune(@store.manifests)
      @log.call("removed archive no kept backup needs: #{gone.map { |d| File.basename(d) }.join(', ')}") unless gone.empty?
      copied = copy
      write_metrics(manifest, Time.now - started, copied)
      raise 'the backup is taken, but its copy to the vault failed (see above)' unless copied

      manifest
    rescue StandardError
      write_metrics(nil, Time.now - started, nil) unless manifest
      raise
    end

    def copy
      t0 = Time.now
      Vault.new(@runner, @s.fetch('vault'), work_dir: @work).push(store_dir: @store.dir, archive_dir: @s.fetch('archive_dir'))
      @log.call("copied to the vault #{@s['vault']['url']} in #{(Time.now - t0).round(1)} s")
      true
    rescue StandardError => e
      @log.call("error: #{e.message}")
      false
    end

    def take
      id = Time.now.utc.strftime('%Y%m%dT%H%M%SZ')
      staging = @store.staging(id)
      data = File.join(staging, 'data')
      times = {}
      donor = choose_donor
      @log.call("backup #{id}: cloning #{donor.name} (a secondary) into #{data}")
      clone_info = timed(times, 'clone') { clone(donor, data) }
      check = timed(times, 'check') { check(data) }
      @log.call("backup #{id}: holds #{check['gtid_executed']} (#{check['rows'].map { |t, n| "#{t} #{n} rows" }.join(', ')})")
      files = timed(times, 'checksum') { Store.file_checksums(data) }
      archive = File.join(staging, Store::ARCHIVE)
      timed(times, 'pack') do
        Store.pack(data, archive, recipient: @s.fetch('recipient'), zstd: @s.fetch('zstd'), age: @s.fetch('age'))
      end
      FileUtils.rm_rf(data)
      manifest = build_manifest(id, donor, clone_info, check, files, archive, times)
      @store.publish(id, manifest)
      @log.call("backup #{id}: #{manifest['data_bytes']} bytes of data, #{manifest['archive_bytes']} bytes stored " \
                "(#{times.map { |k, v| "#{k} #{v.round(1)} s" }.join(', ')})")
      manifest
    rescue StandardError
      @store.discard(id) if id
      raise
    end

    private

    def timed(times, step)
      t0 = Process.clock_gettime(Process::CLOCK_MONOTONIC)
      yield
    ensure
      times[step] = Process.clock_gettime(Process::CLOCK_MONOTONIC) - t0
    end

    # An ONLINE SECONDARY of the majority's view: the primary takes the writes.
    def choose_donor
      g = TimestampBackup.remote_group(@sql, @s)
      majority = g.majority_view or raise 'no group with quorum: nothing to back up from'
      hosts = majority.select { |m| m[:state] == 'ONLINE' && m[:role] == 'SECONDARY' }.map { |m| m[:host] }
      g.members.find { |m| hosts.include?(m.address) } or
        raise 'no ONLINE secondary to clone from (a backup never loads the primary)'
    end

    def recipient
      Mysqld.new(@runner, command: @s.fetch('mysqld'), defaults_file: @s.fetch('recipient_cnf'),
                          socket: File.join(@work, 'mysqld.sock'), log: File.join(@work, 'mysqld.log'))
    end

    def clone(donor, data)
      account = @s.fetch('account')
      address = "#{donor.address}:#{@s.fetch('port')}"
      server = recipient
      server.initialize_datadir(File.join(@work, 'recipient'))
      server.run(@sql) do |me|
        @sql.source!(me, "SET GLOBAL clone_valid_donor_list = #{q(address)};\n" \
                         "CLONE INSTANCE FROM #{q(account['user'])}@#{q(donor.address)}:#{Integer(@s['port'])} " \
                         "IDENTIFIED BY #{q(account['password'])} DATA DIRECTORY = #{q(data)} REQUIRE SSL;\n",
                     timeout: CLONE_TIMEOUT_S)
        begun, ended = @sql.query(me, 'SELECT BEGIN_TIME, END_TIME FROM performance_schema.clone_status').first
        donor_binlog = @sql.query(donor.endpoint, 'SHOW BINARY LOG STATUS')&.first
        { 'begin' => utc(begun), 'end' => utc(ended), 'donor_binlog' => donor_binlog&.first(2),
          'donor_uuid' => @sql.value(donor.endpoint, 'SELECT @@server_uuid'),
          'version' => @sql.value(me, 'SELECT VERSION()') }
      end
    end

    # Starts the copy once (no network, no grants, no binary log): it must open, and it says
    # which transactions it holds and how many rows each table of the service has. The
    # identity that start gave it (auto.cnf) goes: a restored member gets its own.
    def check(data)
      server = recipient
      result = server.run(@sql, extra: ["--datadir=#{data}", '--skip-grant-tables', '--disable-log-bin',
                                        '--skip-replica-start', "--socket=#{server.socket}"]) do |copy|
        { 'gtid_executed' => GtidSet.parse(@sql.value(copy, 'SELECT @@GLOBAL.gtid_executed').to_s).to_s,
          'rows' => row_counts(copy) }
      end
      FileUtils.rm_f(File.join(data, 'auto.cnf'))
      result
    end

    def row_counts(copy)
      schema = @s.fetch('schema')
      tables = @sql.query(copy, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = #{q(schema)} " \
                                "AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME") || []
      tables.flatten.to_h { |t| [t, Integer(@sql.value(copy, "SELECT COUNT(*) FROM `#{schema}`.`#{t}`"))] }
    end

    def build_manifest(id, donor, clone_info, check, files, archive, times)
      { 'id' => id, 'format' => 1, 'method' => 'clone', 'timeline' => Archive.new(@s.fetch('archive_dir')).current['id'],
        'source' => { 'member' => donor.name, 'address' => donor.address, 'server_uuid' => clone_info['donor_uuid'],
                      'binlog_after_clone' => clone_info['donor_binlog'] },
        'mysql_version' => clone_info['version'], 'started_at' => clone_info['begin'], 'ended_at' => clone_info['end'],
        'gtid_executed' => check['gtid_executed'], 'rows' => check['rows'],
        'data_bytes' => files.values.sum { |f| f['size'] }, 'archive_bytes' => File.size(archive),
        'archive_sha256' => Digest::SHA256.file(archive).hexdigest, 'compression' => 'zstd',
        'encryption' => { 'tool' => 'age', 'recipient' => @s.fetch('recipient') },
        'seconds' => times.transform_values { |v| v.round(3) }, 'files' => files }
    end

    def write_metrics(manifest, seconds, copied)
      path = @s['metrics_file'] or return
      latest = @store.manifests.last
      metrics = [['timestamp_backup_last_run_ok', 'gauge', 'Result of the last backup run (1 = ok, 0 = failed)',
                  manifest ? 1 : 0, {}],
                 ['timestamp_backup_last_copy_ok', 'gauge', 'The last run copied the backups to the vault (1) or not (0)',
                  copied ? 1 : 0, {}],
                 ['timestamp_backup_last_run_seconds', 'gauge', 'Duration of the last backup run', seconds.to_f, {}],
                 ['timestamp_backup_count', 'gauge', 'Complete backups in the store', @store.manifests.size, {}]]
      if latest
        metrics << ['timestamp_backup_last_success_timestamp_seconds', 'gauge', 'When the newest complete backup ended',
                    Time.parse(latest['ended_at']).to_f, {}]
        metrics << ['timestamp_backup_last_size_bytes', 'gauge', 'Stored size of the newest backup', latest['archive_bytes'], {}]
      end
      MetricsFile.write(path, metrics)
    end

    def utc(mysql_time)
      Time.strptime("#{mysql_time} UTC", '%Y-%m-%d %H:%M:%S.%L %Z').utc.iso8601(3)
    end

    def q(text)
      TimestampCommon::Sql.quote(text)
    end
  end
end
