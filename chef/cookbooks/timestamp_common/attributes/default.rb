# frozen_string_literal: true

# The zone this node runs in (a, b or c); set per node at bootstrap.
default['timestamp']['zone'] = 'a'

# MySQL's own repositories (repo.mysql.com). 'series' picks the release line:
# 'mysql-8.4-lts' (LTS) or 'mysql-innovation' (9.x).
default['timestamp']['mysql_repo']['series'] = 'mysql-8.4-lts'
default['timestamp']['mysql_repo']['apt_uri'] = 'http://repo.mysql.com/apt'
default['timestamp']['mysql_repo']['yum_baseurl'] = 'http://repo.mysql.com/yum'
default['timestamp']['mysql_repo']['gpg_key'] = 'https://repo.mysql.com/RPM-GPG-KEY-mysql-2023'

# Secrets: an (encrypted) data bag item, or node attributes set at bootstrap under
# node['timestamp']['secrets'] (chef-solo / chef-zero, kitchen). Never in the repository.
default['timestamp']['secrets']['data_bag'] = 'timestamp_secrets'
default['timestamp']['secrets']['item'] = 'cluster'
