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
