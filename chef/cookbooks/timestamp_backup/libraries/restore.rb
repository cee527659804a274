# frozen_string_literal: true

require 'fileutils'
require 'json'
require 'open3'
require 'time'

module TimestampBackup
  # The member-side steps of a point-in-time restore, in order (who runs them, and the steps
  # around them — fencing, stopping the members, rebuilding the others by clone — is the
  # operator's runbook: ./stack restore on the local cluster, the cookbook README on nodes):
  #
  #   plan     which backup, which archived transactions (TimestampBackup::Catalog), saved
  #   unpack   the backup into the (stopped) member's empty data directory, every file
  #            checked against the manifest's SHA-256
  #   replay   (the member running alone, out of any group) the planned transactions, in ONE
  #            mysql session fed by ONE mysqlbinlog over every file; the result is checked
  #   finish   the GTIDs the old history used after the target are marked used (purged), so
  #            no new transaction ever reuses a number the archive already holds; the archive
  #            starts a new timeline from this set
  class Restore
    def initialize(sql:, settings:, log: ->(_line) {})
      @sql = sql
      @s = settings
      @log = log
      @store = Store.new(settings.fetch('store_dir'))
      @archive = Archive.new(settings.fetch('archive_dir'))
    end

    def plan(target)
      plan = Catalog.new(@store, @archive).plan(target)
      saved = { 'target' => target.to_s, 'timeline' => plan.timeline['id'], 'backup' => plan.backup['id'],
                'replay' => plan.replay.to_s, 'transactions' => plan.replay.count, 'files' => plan.files,
                'last' => plan.last && { 'gtid' => plan.last.gtid, 'committed_at' => plan.last.original_commit_time.iso8601(6) },
                'reached' => plan.reached }
      write(plan_file, saved)
      saved
    end

    def saved_plan
      JSON.parse(File.read(plan_file))
    end

    def unpack(datadir)
      plan = saved_plan
      manifest = @store.manifest(plan['backup'])
      FileUtils.rm_rf(datadir)
      Store.unpack(@store.archive_path(plan['backup']), datadir, identity: @s.fetch('identity_file'),
                                                                 zstd: @s.fetch('zstd'), age: @s.fetch('age'))
      found = Store.file_checksums(datadir)
      bad = manifest['files'].reject { |path, sum| found[path] == sum }.keys
      raise "#{bad.size} files differ from backup #{plan['backup']}'s manifest: #{bad.first(5).join(', ')}" unless bad.empty?

      @log.call("backup #{plan['backup']} unpacked into #{datadir}: #{found.size} files, every checksum matches")
    end

    # endpoint: root on the restored member (its option file).
    def replay(endpoint)
      plan = saved_plan
      expected = GtidSet.parse(@store.manifest(plan['backup'])['gtid_executed']).union(GtidSet.parse(plan['replay']))
      unless plan['files'].empty?
        statuses = Open3.pipeline([*Array(@s.fetch('mysqlbinlog')), "--include-gtids=#{plan['replay']}", *plan['files']],
                                  [*Array(@s.fetch('mysql_client')), "--defaults-file=#{endpoint.defaults_file}"])
        failed = statuses.find { |s| !s.success? }
        raise "replaying the archive failed (#{failed})" if failed
      end
      executed = GtidSet.parse(@sql.value(endpoint, 'SELECT @@GLOBAL.gtid_executed').to_s)
      raise "after the replay the member holds #{executed}, not #{expected}" unless executed == expected

      @log.call("replayed #{plan['transactions']} transactions; the member holds #{executed}")
      executed
    end

    # The member holds the restored set; what any timeline ever archived beyond it is burnt.
    def finish(endpoint)
      executed = GtidSet.parse(@sql.value(endpoint, 'SELECT @@GLOBAL.gtid_executed').to_s)
      burn = burnt_numbers(executed)
      @sql.source!(endpoint, "SET GLOBAL gtid_purged = '+#{burn}';\n") unless burn.empty?
      base = executed.union(burn)
      timeline = @archive.start_timeline(base:)
      @log.call("numbers the old history used after the target marked used: #{burn.empty? ? 'none' : burn}; " \
                "the archive goes on as timeline #{timeline['id']}")
      timeline
    end

    private

    # For each uuid: every number up to the highest the archive has seen, minus what is kept.
    def burnt_numbers(kept)
      seen = @archive.timelines.map { |t| @archive.archived(t['id']) }.inject(kept, :union)
      text = seen.uuids.map { |uuid| "#{uuid}:1-#{seen.last(uuid)}" }.join(',')
      GtidSet.parse(text).subtract(kept)
    end

    def plan_file
      File.join(@s.fetch('work_dir'), 'restore-plan.json')
    end

    def write(path, data)
      FileUtils.mkdir_p(File.dirname(path))
      File.write(path, JSON.pretty_generate(data))
    end
  end
end
