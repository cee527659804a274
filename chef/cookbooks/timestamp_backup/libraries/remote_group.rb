# frozen_string_literal: true

module TimestampBackup
  # The group as the backup host reaches it: every member over TCP with the backup account
  # (it reads the group's state and the members' transaction sets; TimestampDb::Group).
  def self.remote_group(sql, settings)
    members = TimestampDb::Group.members_from(settings.fetch('members'), report_host: nil, root_defaults_file: nil,
                                                                         port: settings.fetch('port'),
                                                                         probe: settings.fetch('account'))
    TimestampDb::Group.new(sql, members, replication: {})
  end
end
