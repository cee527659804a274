# frozen_string_literal: true

require 'fileutils'
require 'json'
require 'time'

module TimestampBackup
  # The binlog archive on the backup host: every transaction of the group, streamed by the
  # archiver (TimestampBackup::Archiver) as raw binlog files.
  #
  #   ARCHIVE/timelines.json            [{ id, parent, base, started_at }]: a restore starts a
  #                                     new timeline (the old history stays restorable)
  #   ARCHIVE/tl-N/SEQ-MEMBER/          one streaming session from one member
  #     binlog.NNNNNN ...               the raw files, as mysqlbinlog --raw writes them
  #     index.json                      from: the set the session excluded (what the archive
  #                                     held, plus anything no member could send: a gap),
  #                                     files: each file's transactions so far
  #
  # A session's transactions continue the archive without a gap when its `from` is what the
  # archive held before it; every later session starts from the union of all earlier ones, so
  # no transaction is stored twice.
  class Archive
    Session = Struct.new(:timeline, :dir, :index, keyword_init: true) do
      def name
        File.basename(dir)
      end

      def from
        GtidSet.parse(index['from'])
      end

      def gtids
        index['files'].values.map { |f| GtidSet.parse(f['gtids']) }.inject(GtidSet.parse(''), :union)
      end

      def sealed?
        index['sealed']
      end

      def files
        index['files'].keys.sort.map { |name| File.join(dir, name) }
      end
    end

    # What mysqlbinlog --raw names the files it writes: the source's binary log names.
    BINLOG_NAME = /\.\d{6}\z/

    def initialize(dir)
      @dir = dir
    end

    attr_reader :dir

    def timelines
      file = File.join(@dir, 'timelines.json')
      File.exist?(file) ? JSON.parse(File.read(file)) : [{ 'id' => 1, 'parent' => nil, 'base' => '', 'started_at' => nil }]
    end

    def current
      timelines.last
    end

    def timeline(id)
      timelines.find { |t| t['id'] == id } or raise ArgumentError, "no timeline #{id} in #{@dir}"
    end

    # After a restore: a new timeline whose history begins with the restored set `base`.
    def start_timeline(base:, at: Time.now.utc)
      all = timelines
      all << { 'id' => all.last['id'] + 1, 'parent' => all.last['id'], 'base' => base.to_s, 'started_at' => at.iso8601(6) }
      write_json(File.join(@dir, 'timelines.json'), all)
      all.last
    end

    def sessions(timeline_id)
      Dir[File.join(timeline_dir(timeline_id), '*', 'index.json')].map do |file|
        Session.new(timeline: timeline_id, dir: File.dirname(file), index: JSON.parse(File.read(file)))
      end
    end

    def new_session(timeline_id, member, from)
      seq = (sessions(timeline_id).map { |s| s.name.to_i }.max || 0) + 1
      dir = File.join(timeline_dir(timeline_id), format('%<seq>06d-%<member>s', seq:, member:))
      FileUtils.mkdir_p(dir)
      session = Session.new(timeline: timeline_id, dir:, index: { 'member' => member, 'from' => from.to_s,
                                                                  'started_at' => Time.now.utc.iso8601(6),
                                                                  'sealed' => false, 'files' => {} })
      save(session)
    end

    # What the timeline's archive holds: its base, every session's `from` and transactions.
    def archived(timeline_id, of_sessions = sessions(timeline_id))
      of_sessions.inject(GtidSet.parse(timeline(timeline_id)['base'])) do |set, s|
        set.union(s.from).union(s.gtids)
      end
    end

    # Reads what the session's files gained since the last look; returns the session.
    def refresh(session)
      Dir[File.join(session.dir, '*')].each do |path|
        name = File.basename(path)
        next unless name.match?(BINLOG_NAME) && File.file?(path)

        entry = session.index['files'][name] ||= { 'gtids' => '', 'complete_end' => nil, 'transactions' => 0 }
        next if entry['size'] == File.size(path)

        scan = BinlogFile.scan(path, from: entry['complete_end'])
        record(entry, scan)
      end
      save(session)
    end

    # The session is over (its mysqlbinlog ended): a transaction cut off in the middle is
    # dropped from the file, so the next session sends it again, whole.
    def seal(session)
      refresh(session)
      last = session.files.last
      if last
        scan = BinlogFile.truncate_incomplete(last)
        session.index['files'][File.basename(last)]['size'] = scan.complete_end # the file's size once cut
      end
      session.index['sealed'] = true
      session.index['ended_at'] = Time.now.utc.iso8601(6)
      save(session)
    end

    # Every archived transaction of the timeline in the order the group committed them:
    # yields (session, file, transaction).
    def each_transaction(timeline_id)
      return enum_for(:each_transaction, timeline_id) unless block_given?

      sessions(timeline_id).each do |session|
        session.files.each do |file|
          BinlogFile.scan(file).transactions.each { |t| yield session, file, t }
        end
      end
    end

    # Retention follows the backups: what no kept backup can need goes. A timeline without a
    # kept backup (older than every one) goes whole, unless it is the current one; in the
    # others, a sealed session whose every transaction the timeline's oldest kept backup
    # already holds goes. manifests: the kept backups. Returns the removed directories.
    def prune(manifests)
      oldest = manifests.group_by { |m| m['timeline'] }.transform_values { |ms| ms.min_by { |m| m['id'] } }
      timelines.flat_map do |t|
        backup = oldest[t['id']]
        if backup.nil?
          t['id'] == current['id'] ? [] : remove([timeline_dir(t['id'])])
        else
          held = GtidSet.parse(backup['gtid_executed'])
          remove(sessions(t['id']).select { |s| s.sealed? && held.superset?(s.gtids) }.map(&:dir))
        end
      end
    end

    def bytes(timeline_id)
      Dir[File.join(timeline_dir(timeline_id), '*', '*')].sum { |f| File.size(f) }
    end

    private

    def remove(dirs)
      dirs.select { |d| File.exist?(d) }.each { |d| FileUtils.rm_rf(d) }
    end

    def timeline_dir(id)
      File.join(@dir, format('tl-%04d', id))
    end

    def record(entry, scan)
      entry['gtids'] = GtidSet.parse(entry['gtids']).union(scan.gtids).to_s
      entry['transactions'] += scan.transactions.size
      entry['complete_end'] = scan.complete_end
      entry['size'] = scan.size
      return if scan.transactions.empty?

      entry['first_commit_us'] ||= scan.transactions.first.original_commit_us
      entry['last_commit_us'] = scan.transactions.last.original_commit_us
    end

    def save(session)
      write_json(File.join(session.dir, 'index.json'), session.index)
      session
    end

    def write_json(path, data)
      FileUtils.mkdir_p(File.dirname(path))
      File.write("#{path}.tmp", JSON.pretty_generate(data))
      File.rename("#{path}.tmp", path)
    end
  end
end
