# frozen_string_literal: true

#
# Cookbook:: timestamp_common
# Recipe:: mysql_repository
#
# MySQL's vendor repository, shared by the database members and the Router hosts.
repo = node['timestamp']['mysql_repo']

timestamp_mysql_repository repo['series'] do
  apt_uri repo['apt_uri']
  yum_baseurl repo['yum_baseurl']
  gpg_key repo['gpg_key']
end

# The tested version, not whatever the release line serves next.
apt_preference 'mysql' do
  glob 'mysql-*'
  pin "version #{node['timestamp']['mysql']['version']}.*"
  pin_priority '1001'
  only_if { platform_family?('debian') }
end
