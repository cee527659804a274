# frozen_string_literal: true

# Brings this member ONLINE in the cluster's Group Replication group, guarded by the real
# state in performance_schema.replication_group_members:
# - ONLINE in a view with quorum: nothing to do (a second converge changes nothing);
# - a peer is ONLINE in a group with quorum: join it (a replaced member with a new
#   datadir joins by clone and is learned by the metadata);
# - no peer has a group: bootstrap, but only on the bootstrap member and only when no
#   reachable peer holds a transaction this member lacks (no committed write is lost).
provides :timestamp_db_group_member
unified_mode true

property :report_host, String, name_property: true
property :port, Integer, default: 3306
property :peers, Array, default: [], description: 'report_host of every other member'
property :bootstrap, [true, false], default: false
property :mysql_client, String, default: '/usr/bin/mysql'
property :root_client_cnf, String, default: '/root/.my.cnf'
property :replication_user, String, default: 'ts_repl'
property :replication_password, String, sensitive: true, required: true
# The account that may read a peer's replication_group_members (the metadata account).
property :probe_user, String, default: 'router_meta'
property :probe_password, String, sensitive: true, required: true
property :online_timeout, Integer, default: 180

action_class do
  include TimestampDb::Helpers

  def sql(query)
    local_query!(new_resource.mysql_client, new_resource.root_client_cnf, query)
  end

  def own_view
    group_view(local_query(new_resource.mysql_client, new_resource.root_client_cnf, GROUP_VIEW_SQL))
  end

  def own_state
    own_view.find { |m| m[:self] }&.fetch(:state) || 'OFFLINE'
  end

  def online_with_quorum?
    view = own_view
    quorum?(view)
  end

  # The first peer that is ONLINE in a group with quorum, or nil.
  def peer_with_group
    new_resource.peers.find do |peer|
      rows = peer_query(new_resource.mysql_client, peer, new_resource.port, new_resource.probe_user,
                        new_resource.probe_password, GROUP_VIEW_SQL)
      quorum?(group_view(rows))
    end
  end

  # Peers that answer, with their executed transaction sets.
  def peer_gtid_sets
    new_resource.peers.each_with_object({}) do |peer, sets|
      rows = peer_query(new_resource.mysql_client, peer, new_resource.port, new_resource.probe_user,
                        new_resource.probe_password, 'SELECT @@GLOBAL.gtid_executed')
      sets[peer] = rows.flatten.join.delete("\n") if rows
    end
  end

  def recovery_credentials
    sql("CHANGE REPLICATION SOURCE TO SOURCE_USER = #{TimestampCommon::Sql.quote(new_resource.replication_user)}, " \
        "SOURCE_PASSWORD = #{TimestampCommon::Sql.quote(new_resource.replication_password)} " \
        "FOR CHANNEL 'group_replication_recovery'")
  end

  def stop_if_needed
    sql('STOP GROUP_REPLICATION') unless %w(OFFLINE).include?(own_state)
  end

  # Waits for ONLINE. Recovery by clone restarts mysqld (the service manager brings it
  # back): Group Replication is then started again on the cloned data.
  def wait_online
    deadline = Time.now + new_resource.online_timeout
    while Time.now < deadline
      state = local_query(new_resource.mysql_client, new_resource.root_client_cnf, GROUP_VIEW_SQL) ? own_state : nil
      return if state == 'ONLINE'
      raise "#{new_resource.report_host}: Group Replication is in ERROR (see the error log)" if state == 'ERROR'

      if state == 'OFFLINE'
        recovery_credentials
        sql('START GROUP_REPLICATION')
      end
      sleep 1
    end
    raise "#{new_resource.report_host}: not ONLINE after #{new_resource.online_timeout} s"
  end
end

action :join do
  if online_with_quorum?
    Chef::Log.debug("#{new_resource.report_host} is ONLINE in a group with quorum")
  elsif (peer = peer_with_group)
    converge_by "join the group through #{peer}" do
      stop_if_needed
      recovery_credentials
      sql('START GROUP_REPLICATION')
      wait_online
    end
  elsif new_resource.bootstrap
    own = sql('SELECT @@GLOBAL.gtid_executed').flatten.join.delete("\n")
    peer_gtid_sets.each do |name, set|
      subset = sql("SELECT GTID_SUBSET(#{TimestampCommon::Sql.quote(set)}, #{TimestampCommon::Sql.quote(own)})").flatten.first
      next if subset == '1'

      raise "#{name} holds transactions this member lacks: bootstrap the group there, not here"
    end
    converge_by 'bootstrap the group' do
      stop_if_needed
      recovery_credentials
      begin
        sql('SET GLOBAL group_replication_bootstrap_group = ON')
        sql('START GROUP_REPLICATION')
      ensure
        sql('SET GLOBAL group_replication_bootstrap_group = OFF')
      end
      wait_online
    end
  else
    raise "#{new_resource.report_host}: no peer has a group to join yet; converge the bootstrap member first"
  end
end
