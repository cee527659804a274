# frozen_string_literal: true

# Waits until this member is ONLINE in the cluster's group. The member's keeper
# (timestamp-db-keeper.service, TimestampDb::Keeper) joins it, or bootstraps the group from
# the member holding the most transactions, by itself after every restart; this resource
# only makes a chef-client run end once the member serves. Thin over TimestampDb::Group.
provides :timestamp_db_group_member
unified_mode true

property :report_host, String, name_property: true
property :port, Integer, default: 3306
property :members, Array, required: true,
                          description: "every member, this one included: [{ 'name' => 'db-a', 'address' => '10.0.0.11' }, ...]"
property :mysql_client, [String, Array], default: '/usr/bin/mysql'
property :root_client_cnf, String, default: '/root/.my.cnf'
# The account that may read a peer's group view and transaction sets (created on every
# member before the group exists: TimestampDb::RootAccount).
property :probe_user, String, default: 'ts_probe'
property :probe_password, String, sensitive: true, required: true
property :online_timeout, Integer, default: 300

action_class do
  def group
    sql = TimestampCommon::MysqlClient.new(TimestampCommon::CommandRunner.new, client: new_resource.mysql_client)
    members = TimestampDb::Group.members_from(new_resource.members, report_host: new_resource.report_host,
                                                                    root_defaults_file: new_resource.root_client_cnf,
                                                                    port: new_resource.port,
                                                                    probe: { 'user' => new_resource.probe_user,
                                                                             'password' => new_resource.probe_password })
    # Only reads and waits: the keeper holds the replication credentials.
    TimestampDb::Group.new(sql, members, replication: {}, log: ->(message) { Chef::Log.info(message) })
  end
end

action :join do
  g = group
  me = g.members.find { |m| m.address == new_resource.report_host } or
    raise "#{new_resource.report_host} is not among the members #{new_resource.members.map { |m| m['address'] }}"
  pending = g.pending(me)
  # why-run prints the sentence and waits for nothing; the guard above only reads
  if pending
    converge_by(pending) do
      g.await_online([me], timeout: new_resource.online_timeout)
    end
  end
end
