# frozen_string_literal: true

require 'time'

module TimestampBackup
  # What can be restored: the backups (Store) rolled forward through the binlog archive
  # (Archive). A target is a moment (the state as the service had acknowledged it then), a
  # transaction (the state just before it) or the newest archived transaction. A plan names
  # the timeline that was live at the target, the newest backup of it that reaches the target
  # without crossing a gap, and the transactions to replay after it.
  class Catalog
    Target = Struct.new(:kind, :time, :gtid, keyword_init: true) do
      def self.latest = new(kind: :latest)
      def self.at(time) = new(kind: :time, time:)
      def self.before(gtid) = new(kind: :gtid, gtid:)

      # The first transaction that must not be restored.
      def stop?(transaction)
        case kind
        when :time then transaction.original_commit_us > (time.to_r * 1_000_000).floor
        when :gtid then transaction.gtid == gtid
        else false
        end
      end

      def to_s
        { latest: 'the newest archived transaction', time: "#{time&.utc&.iso8601(6)} (UTC)", gtid: "just before #{gtid}" }[kind]
      end
    end

    # backup: its manifest; replay: the GtidSet to apply after it; files: the archive files
    # that hold it, in order; last: the last transaction restored (nil: the backup alone);
    # reached: false when the target lies beyond the archive's end (the newest state is restored).
    Plan = Struct.new(:timeline, :backup, :replay, :files, :last, :reached, :target, keyword_init: true)

    def initialize(store, archive)
      @store = store
      @archive = archive
    end

    def plan(target)
      timeline = timeline_for(target)
      backups = @store.manifests.select { |m| m['timeline'] == timeline['id'] }.reverse
      raise "no backup of timeline #{timeline['id']}: nothing to restore from" if backups.empty?

      reasons = []
      backups.each do |backup|
        plan = walk(timeline, backup, target)
        return plan if plan.is_a?(Plan)

        reasons << "#{backup['id']}: #{plan}"
      end
      raise "no backup reaches #{target}: #{reasons.join('; ')}"
    end

    # For `backup --list`: each backup with the newest moment it can be rolled forward to.
    def restorable
      @store.manifests.map do |backup|
        timeline = @archive.timeline(backup['timeline'])
        plan = walk(timeline, backup, Target.latest)
        next { 'backup' => backup, 'until' => nil, 'problem' => plan, 'transactions' => 0 } unless plan.is_a?(Plan)

        { 'backup' => backup, 'until' => plan.last&.original_commit_time || Time.parse(backup['ended_at']),
          'problem' => nil, 'transactions' => plan.replay.count }
      end
    end

    private

    # A file's transactions, read once per catalog (each backup's walk reads the same files).
    def transactions(file)
      (@transactions ||= {})[file] ||= BinlogFile.scan(file).transactions
    end

    # The timeline live at the target. One without a backup yet (a restore that failed before
    # its closing backup) cannot be rolled forward: its parent stands in, which makes the retry
    # of a failed restore restore the same state again.
    def timeline_for(target)
      backed_up = @store.manifests.map { |m| m['timeline'] }
      all = @archive.timelines.select { |t| backed_up.include?(t['id']) }
      raise 'no backup at all: nothing to restore from' if all.empty?

      case target.kind
      when :latest then all.last
      when :time then all.reverse.find { |t| t['started_at'].nil? || Time.parse(t['started_at']) <= target.time } || all.first
      else
        uuid, gno = target.gtid.split(':')
        all.reverse.find { |t| @archive.sessions(t['id']).any? { |s| s.gtids.include?(uuid, Integer(gno)) } } or
          raise "#{target.gtid} is in no archived timeline that has a backup"
      end
    end

    # Rolls the backup forward in archive order; a String says why it cannot reach the target.
    def walk(timeline, backup, target)
      return 'it ended after the target' if target.kind == :time && Time.parse(backup['ended_at']) > target.time

      have = GtidSet.parse(backup['gtid_executed'])
      replay = GtidSet::Builder.new
      files = []
      last = nil
      @archive.sessions(timeline['id']).each do |session|
        gap = session.from.subtract(have)
        session.files.each do |file|
          transactions(file).each do |t|
            if target.stop?(t)
              return 'it is newer than the target' if have.include?(t.uuid, t.gno)

              return Plan.new(timeline:, backup:, replay: replay.to_set, files:, last:, reached: true, target:)
            end
            next if have.include?(t.uuid, t.gno)
            return "the archive has a gap before #{t.gtid} (#{gap} missing)" unless gap.empty?

            replay.add(t.uuid, t.gno)
            have = have.add(t.uuid, t.gno)
            files << file unless files.last == file
            last = t
          end
        end
      end
      Plan.new(timeline:, backup:, replay: replay.to_set, files:, last:, reached: target.kind == :latest, target:)
    end
  end
end
