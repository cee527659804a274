# frozen_string_literal: true

# One MySQL server configured as a Group Replication member: the my.cnf fragment from
# the cookbook's template, a datadir initialized without the Group Replication options
# (--initialize loads no plugins), the service, and the root account's password.
# A changed configuration restarts the server; Group Replication is then started again
# by timestamp_db_group_member (start_on_boot is OFF on purpose).
provides :timestamp_db_server
unified_mode true

property :conf_file, String, name_property: true
property :service_name, String, default: 'mysql'
property :mysqld, String, default: '/usr/sbin/mysqld'
property :my_print_defaults, String, default: '/usr/bin/my_print_defaults'
property :mysql_client, [String, Array], default: '/usr/bin/mysql'
property :datadir, String, default: '/var/lib/mysql'
property :socket, String, default: '/run/mysqld/mysqld.sock'
property :user, String, default: 'mysql'
property :root_client_cnf, String, default: '/root/.my.cnf'
property :root_password, String, sensitive: true, required: true
property :probe_user, String, default: 'ts_probe'
property :probe_password, String, sensitive: true, required: true

action_class do
  def initialized?
    ::File.directory?(::File.join(new_resource.datadir, 'mysql'))
  end

  # The server's options minus those only Group Replication's plugin knows.
  def initialize_options
    out = shell_out!(new_resource.my_print_defaults, "--defaults-file=#{new_resource.conf_file}", 'mysqld')
    TimestampDb::Datadir.initialize_options(out.stdout)
  end

  def root_account
    sql = TimestampCommon::MysqlClient.new(TimestampCommon::CommandRunner.new, client: new_resource.mysql_client)
    TimestampDb::RootAccount.new(sql, TimestampCommon::MysqlEndpoint.new(defaults_file: new_resource.root_client_cnf),
                                 socket: new_resource.socket)
  end
end

action :create do
  was_initialized = initialized?

  directory ::File.dirname(new_resource.conf_file) do
    recursive true
  end

  config = template new_resource.conf_file do
    cookbook 'timestamp_db'
    source 'my.cnf.erb'
    mode '0644'
  end

  unless initialized?
    converge_by "initialize #{new_resource.datadir}" do
      directory new_resource.datadir do
        owner new_resource.user
        mode '0750'
      end
      shell_out!(new_resource.mysqld, '--no-defaults', *initialize_options, '--initialize-insecure', timeout: 600)
    end
  end

  service new_resource.service_name do
    action %i(enable start)
  end

  if was_initialized && config.updated_by_last_action?
    service "#{new_resource.service_name} (configuration changed)" do
      service_name new_resource.service_name
      action :restart
    end
  end

  template new_resource.root_client_cnf do
    cookbook 'timestamp_db'
    source 'client.cnf.erb'
    variables(user: 'root', password: new_resource.root_password)
    mode '0600'
    sensitive true
  end

  # Guarded by a real login (TimestampDb::RootAccount, the class ./stack runs too): after
  # --initialize-insecure root has no password until it is set here, once, together with
  # the probe account the members' keepers read each other with.
  account = root_account
  unless account.login_works?
    converge_by 'set the root password and create the probe account' do
      account.initialize_accounts(new_resource.root_password,
                                  probe: { 'user' => new_resource.probe_user, 'password' => new_resource.probe_password }) or
        raise 'setting the root password over the socket failed'
    end
  end
end
