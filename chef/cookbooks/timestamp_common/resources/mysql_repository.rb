# frozen_string_literal: true

# MySQL's own package repository (repo.mysql.com) for Debian, Ubuntu and Rocky Linux.
provides :timestamp_mysql_repository
unified_mode true

property :series, String, name_property: true,
                          equal_to: %w(mysql-8.4-lts mysql-innovation),
                          description: 'Release line: mysql-8.4-lts or mysql-innovation (9.x)'
property :components, Array, default: %w(mysql-tools)
property :apt_uri, String, default: 'http://repo.mysql.com/apt'
property :yum_baseurl, String, default: 'http://repo.mysql.com/yum'
property :gpg_key, String, default: 'https://repo.mysql.com/RPM-GPG-KEY-mysql-2023'

action :add do
  if platform_family?('debian')
    apt_repository 'mysql' do
      uri "#{new_resource.apt_uri}/#{node['platform']}"
      distribution node['lsb']['codename']
      components [new_resource.series] + new_resource.components
      key new_resource.gpg_key
    end
  else
    el = node['platform_version'].to_i
    lts = new_resource.series == 'mysql-8.4-lts'
    yum_repository 'mysql-server' do
      description "MySQL #{new_resource.series}"
      baseurl "#{new_resource.yum_baseurl}/#{lts ? 'mysql-8.4' : 'mysql-innovation'}-community/el/#{el}/$basearch/"
      gpgkey new_resource.gpg_key
    end
    yum_repository 'mysql-tools' do
      description 'MySQL tools (Router)'
      baseurl "#{new_resource.yum_baseurl}/mysql-tools-#{lts ? '8.4-lts' : 'innovation'}-community/el/#{el}/$basearch/"
      gpgkey new_resource.gpg_key
    end
    # The distribution's own mysql module (EL8's AppStream; EL9 ships MySQL without one)
    # would hide the vendor packages while it is enabled. Chef 18 has no resource for dnf
    # modules: dnf disables it, only where the module exists and is not disabled yet.
    execute 'dnf -y module disable mysql' do
      only_if 'dnf -q module list mysql'
      not_if 'dnf -q module list --disabled mysql'
    end
  end
end

action :remove do
  if platform_family?('debian')
    apt_repository('mysql') { action :remove }
  else
    yum_repository('mysql-server') { action :remove }
    yum_repository('mysql-tools') { action :remove }
  end
end
