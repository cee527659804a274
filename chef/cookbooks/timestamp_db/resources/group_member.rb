# frozen_string_literal: true

# Brings this member ONLINE in the cluster's Group Replication group. A thin resource over
# TimestampDb::Group (libraries/group.rb), the same class ./stack runs: state as the
# majority sees it, join while a group exists, bootstrap only from the member holding the
# most transactions (ties: the first member listed), never a second group.
provides :timestamp_db_group_member
unified_mode true

property :report_host, String, name_property: true
property :port, Integer, default: 3306
property :members, Array, required: true,
                          description: "every member, this one included: [{ 'name' => 'db-a', 'address' => '10.0.0.11' }, ...]"
property :mysql_client, [String, Array], default: '/usr/bin/mysql'
property :root_client_cnf, String, default: '/root/.my.cnf'
property :replication_user, String, default: 'ts_repl'
property :replication_password, String, sensitive: true, required: true
# The account that may read a peer's group view and transaction sets (the metadata account).
property :probe_user, String, default: 'router_meta'
property :probe_password, String, sensitive: true, required: true
property :online_timeout, Integer, default: 180
# How long a member that is not the one to bootstrap waits for the group to appear.
property :wait_for_group, Integer, default: 300

action_class do
  def group
    sql = TimestampCommon::MysqlClient.new(TimestampCommon::CommandRunner.new, client: new_resource.mysql_client)
    members = new_resource.members.map do |m|
      endpoint = if m['address'] == new_resource.report_host
                   TimestampCommon::MysqlEndpoint.new(label: m['name'], defaults_file: new_resource.root_client_cnf)
                 else
                   TimestampCommon::MysqlEndpoint.new(label: m['name'], host: m['address'], port: new_resource.port,
                                                      user: new_resource.probe_user, password: new_resource.probe_password)
                 end
      TimestampDb::Member.new(name: m['name'], address: m['address'], endpoint:)
    end
    TimestampDb::Group.new(sql, members, replication: { 'user' => new_resource.replication_user,
                                                        'password' => new_resource.replication_password },
                                         log: ->(message) { Chef::Log.info(message) })
  end
end

action :join do
  g = group
  me = g.members.find { |m| m.address == new_resource.report_host } or
    raise "#{new_resource.report_host} is not among the members #{new_resource.members.map { |m| m['address'] }}"
  pending = g.pending(me)
  # why-run prints the sentence and runs nothing; the guard above only reads
  if pending
    converge_by(pending) do
      g.converge(me, timeout: new_resource.online_timeout, wait_for_group: new_resource.wait_for_group)
    end
  end
end
