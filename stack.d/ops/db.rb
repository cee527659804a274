# frozen_string_literal: true

# The database tier's operations for ./stack, run by the timestamp_db cookbook's classes.
# The tier's settings are Chef's (environment `local`); ./stack adds each member's files on
# this machine (JSON in STACK_DB_CONFIG) and exports the secrets.
require_relative '../local_chef'
module Ops
  # The local cluster's view of the database tier: members reached as root over their
  # sockets. Each member's keeper (a supervised service) forms and heals the group.
  module Db
    # Chef's view of the tier (environment `local`) plus ./stack's files for each member.
    def self.config
      @config ||= begin
        local = JSON.parse(Ops.env!('STACK_DB_CONFIG'))
        node = LocalChef::Node.new(File.expand_path('..', COOKBOOKS),
                                   { 'chef_environment' => 'local', 'run_list' => ['recipe[timestamp_db]'] })
        db = node.attributes['timestamp_db']
        gr = db['group_replication']
        { 'mysql_client' => local['mysql_client'], 'routers' => db['routers'],
          'members' => db['members'].map { |m| m.merge(local['files'].fetch(m['name'])) },
          'cluster' => { 'name' => db['cluster_name'], 'id' => db['cluster_id'], 'group_name' => gr['group_name'],
                         'port' => db['port'], 'xport' => db['mysqlx_port'], 'gr_port' => gr['local_port'] } }
      end
    end

    def self.sql
      TimestampCommon::MysqlClient.new(TimestampCommon::CommandRunner.new, client: config['mysql_client'])
    end

    def self.members
      config['members'].map do |m|
        TimestampDb::Member.new(name: m['name'], address: m['address'],
                                endpoint: TimestampCommon::MysqlEndpoint.new(label: m['name'],
                                                                             defaults_file: m['defaults_file']))
      end
    end

    def self.group
      TimestampDb::Group.new(sql, members, replication: {}, log: Ops.method(:log))
    end

    def self.metadata(primary)
      TimestampDb::Metadata.new(
        sql, primary.endpoint,
        sql_dir: File.join(COOKBOOKS, 'timestamp_db', 'files', 'default'), cluster: config['cluster'],
        members: config['members'].map { |m| m.slice('name', 'address') }, routers: config['routers'],
        passwords: { 'replication_password' => Ops.env!('MYSQL_REPLICATION_PASSWORD'),
                     'router_password' => Ops.env!('MYSQL_ROUTER_PASSWORD'),
                     'probe_password' => Ops.env!('MYSQL_PROBE_PASSWORD'),
                     'backup_password' => Ops.env!('MYSQL_BACKUP_PASSWORD'),
                     'migrator_password' => Ops.env!('DB_MIGRATION_PASSWORD'),
                     'app_password' => Ops.env!('DB_PASSWORD') }
      )
    end
  end

  command('db', 'await',
          'SECONDS MEMBER...   each member answers as root (a new datadir: root password, probe account)') do |secs, *names|
    deadline = Time.now + Integer(secs)
    probe = { 'user' => 'ts_probe', 'password' => Ops.env!('MYSQL_PROBE_PASSWORD') }
    names.each do |name|
      member = Db.members.find { |m| m.name == name } or raise ArgumentError, "unknown member #{name}"
      entry = Db.config['members'].find { |m| m['name'] == name }
      root = TimestampDb::RootAccount.new(Db.sql, member.endpoint, socket: entry.fetch('socket'))
      until root.login_works? || (root.initialize_accounts(Ops.env!('MYSQL_ROOT_PASSWORD'), probe:) && root.login_works?)
        Ops.fail!("#{name}: mysqld did not answer within #{secs} s (see #{entry['log']})") if Time.now > deadline
        sleep 0.5
      end
    end
  end

  command('db', 'initialize-options', '   stdin: my_print_defaults of my.cnf; stdout: the options --initialize takes') do
    puts TimestampDb::Datadir.initialize_options($stdin.read)
  end

  command('db', 'up', 'SECONDS   every member ONLINE (their keepers join them, or bootstrap the group), the ' \
                      'metadata written, the primary printed') do |secs|
    group = Db.group
    group.await_online(group.members, timeout: Integer(secs))
    primary = group.primary or Ops.fail!('the group has no primary')
    Db.metadata(primary).apply(log: ->(message) { Ops.log("metadata: #{message}") })
    puts primary.name
  end

  command('db', 'online', 'SECONDS MEMBER...   each member ONLINE in the majority\'s view') do |secs, *names|
    group = Db.group
    group.await_online(group.members.select { |m| names.include?(m.name) }, timeout: Integer(secs))
  end

  command('db', 'primary', '   the primary member as the majority sees it') do
    primary = Db.group.primary or exit 1
    puts primary.name
  end

  command('db', 'status', '   NAME STATE ROLE per member, as the majority sees it') do
    Db.group.status.each { |member, state, role| puts [member.name, state || '-', role || '-'].join(' ') }
  end

  command('db', 'leave', '   every member leaves the group in order: secondaries, then the primary') do
    Db.group.leave
  end
end
