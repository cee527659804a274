# frozen_string_literal: true

require 'time'
require_relative 'binlog_builder'

# Builds binlog archives and backup stores for the specs: transaction GROUP:n commits n seconds
# after T0 (plus shift), so a moment in seconds after T0 names a point in the history.
module ArchiveFixtures
  GROUP = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee'
  OTHER = '3e11fa47-71ca-11e1-9e33-c80aa9429562'
  T0 = 1_750_000_000 # seconds since the epoch

  def group_uuid = GROUP
  def other_uuid = OTHER

  def gtids(text)
    TimestampBackup::GtidSet.parse(text)
  end

  # g('1-3'): transactions 1 to 3 of the group's uuid, as text.
  def g(numbers)
    "#{GROUP}:#{numbers}"
  end

  def moment(seconds)
    Time.at(T0 + Rational(seconds)).utc
  end

  def commit_us(seconds)
    (moment(seconds).to_r * 1_000_000).to_i
  end

  # A binary log holding the transactions gnos of uuid, each committed gno + shift seconds after T0.
  def binlog(gnos, uuid: GROUP, shift: 0)
    BinlogBuilder.new(in_use: false).tap do |log|
      log.previous_gtids('')
      gnos.each { |n| log.dml(uuid, n, commit_us(n + shift)) }
    end
  end

  # A sealed session of the archive: files is one list of gnos per binlog file.
  def add_session(archive, timeline, from, files, member: 'db-b', uuid: GROUP, shift: 0)
    session = archive.new_session(timeline, member, gtids(from))
    files.each_with_index do |gnos, i|
      binlog(gnos, uuid:, shift:).write(File.join(session.dir, format('binlog.%06d', i + 1)))
    end
    archive.seal(session)
  end

  # A complete backup in the store (a manifest and a stand-in archive).
  def add_backup(store, id, timeline:, gtid_executed:, ended_at:)
    File.write(File.join(store.staging(id), TimestampBackup::Store::ARCHIVE), 'sealed')
    store.publish(id, { 'id' => id, 'timeline' => timeline, 'gtid_executed' => gtid_executed,
                        'ended_at' => moment(ended_at).iso8601(6) })
  end
end
