# frozen_string_literal: true

# Where the service lives on an app host.
default['timestamp_app']['install_dir'] = '/opt/timestamp-service'
default['timestamp_app']['config_dir'] = '/etc/timestamp-service'
default['timestamp_app']['user'] = 'timestamp'
default['timestamp_app']['java'] = '/usr/bin/java'
default['timestamp_app']['payara_micro_jar'] = '/opt/timestamp-service/payara-micro.jar'
default['timestamp_app']['war'] = '/opt/timestamp-service/timestamp-service.war'
default['timestamp_app']['root_dir'] = '/var/lib/timestamp-service'

# This instance: its name (shown in every response) and its HTTP port.
default['timestamp_app']['instance'] = 'app-a'
default['timestamp_app']['http_port'] = 8080
default['timestamp_app']['jvm_options'] = '-Xms256m -Xmx512m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError'

# Payara Data Grid (Hazelcast): the address this host joins from, and every app host of
# the cluster as address:port.
default['timestamp_app']['data_grid']['interface'] = '127.0.0.1'
default['timestamp_app']['data_grid']['port'] = 6900
default['timestamp_app']['data_grid']['members'] = ['127.0.0.1:6900']

# The database is always reached through the MySQL Router on the same host.
default['timestamp_app']['db']['url'] =
  'jdbc:mysql://127.0.0.1:6446/timestamps?connectTimeout=2000&socketTimeout=30000&sslMode=DISABLED&allowPublicKeyRetrieval=true'
default['timestamp_app']['db']['user'] = 'ts_app'
default['timestamp_app']['db']['migration_user'] = 'ts_migrator'
