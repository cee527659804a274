# frozen_string_literal: true

# ---- the cluster's hosts, listed once per environment -----------------------------------
# { 'db-a' => { 'roles' => ['db'], 'zone' => 'a', 'address' => '10.0.0.11' }, ... } (roles:
# db, app, lb), and the name of this node among them (set per node: chef/nodes/NAME.json).
# Every cookbook derives its lists and this node's identity from them (TimestampCommon::Topology).
default['timestamp']['hosts'] = {}
default['timestamp']['host'] = nil
this_host = TimestampCommon::Topology.new(node['timestamp']['hosts']).host(node['timestamp']['host'])
# The zone this node runs in (a, b or c).
default['timestamp']['zone'] = this_host ? this_host['zone'] : 'a'

# ---- the cluster's identity, set per environment ------------------------------------------
# Its name (InnoDB Cluster metadata, Router's metadata cache), id (a UUID, the metadata's key)
# and Group Replication's group name (a UUID): one group per environment.
default['timestamp']['cluster']['name'] = 'timestamps'
default['timestamp']['cluster']['id'] = 'c0a5e7b4-31d9-4b8e-8e5f-6a1d2c3b4a50'
default['timestamp']['cluster']['group_name'] = '7d3e1b52-5c2a-4f61-9a0e-2f4c8b1d6e90'

# ---- ports: each defined here once; the cookbooks' own port attributes default to these --
default['timestamp']['ports']['mysql'] = 3306
default['timestamp']['ports']['mysqlx'] = 33_060
default['timestamp']['ports']['group_replication'] = 33_061
default['timestamp']['ports']['router_rw'] = 6446
default['timestamp']['ports']['router_ro'] = 6447
default['timestamp']['ports']['app_http'] = 8080
default['timestamp']['ports']['data_grid'] = 6900
default['timestamp']['ports']['edge_http'] = 80
default['timestamp']['ports']['backup_vault'] = 873

# ---- MySQL: server, client and Router --------------------------------------------------
# The version this project tests: the local cluster runs it (Debian's packages of it), and
# ./stack test fails if the two ever differ. Any other version (8.4 LTS, another 9.x) can be
# chosen here and is untested (see the cookbook README).
default['timestamp']['mysql']['version'] = '9.7'
# MySQL's own repositories (repo.mysql.com): the release line of that version
# ('mysql-8.4-lts', or 'mysql-innovation' for 9.x), pinned to the version on apt.
default['timestamp']['mysql_repo']['series'] =
  node['timestamp']['mysql']['version'].start_with?('8.4') ? 'mysql-8.4-lts' : 'mysql-innovation'
default['timestamp']['mysql_repo']['apt_uri'] = 'http://repo.mysql.com/apt'
default['timestamp']['mysql_repo']['yum_baseurl'] = 'http://repo.mysql.com/yum'
default['timestamp']['mysql_repo']['gpg_key'] = 'https://repo.mysql.com/RPM-GPG-KEY-mysql-2023'

# Secrets: an (encrypted) data bag item, or node attributes set at bootstrap under
# node['timestamp']['secrets'] (chef-solo / chef-zero, kitchen). Never in the repository.
default['timestamp']['secrets']['data_bag'] = 'timestamp_secrets'
default['timestamp']['secrets']['item'] = 'cluster'

# ---- the service's own long-lived programs (keepers, watchdogs) ------------------------------
# They run the cookbooks' library classes (resource timestamp_program installs them under
# lib_root) with Chef Infra Client's own Ruby; the local cluster runs them from the repository.
default['timestamp']['programs']['ruby'] = '/opt/chef/embedded/bin/ruby'
default['timestamp']['programs']['lib_root'] = '/usr/local/lib/timestamp'
