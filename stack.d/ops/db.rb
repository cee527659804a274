# frozen_string_literal: true

# The database tier's operations for ./stack, run by the timestamp_db cookbook's classes.
# The tier's settings are Chef's (environment `local`); ./stack adds each member's files on
# this machine (JSON in STACK_DB_CONFIG) and exports the secrets.
require_relative '../local_chef'
module Ops
  # The local cluster's view of the database tier: members reached as root over their
  # sockets, liveness from ./stack's pid files.
  module Db
    # Exit status of `db up` when a member's mysqld ended (clone): ./stack starts it again.
    MEMBER_EXITED = 3

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

    # The daemon in the member's pid file is alive (not a zombie).
    def self.alive?(member)
      pid_file = config['members'].find { |m| m['name'] == member.name }.fetch('pid_file')
      !Ops.start_ticks(Integer(File.read(pid_file).strip)).nil?
    rescue Errno::ENOENT, ArgumentError
      false
    end

    def self.group
      TimestampDb::Group.new(sql, members,
                             replication: { 'user' => 'ts_repl', 'password' => ENV.fetch('MYSQL_REPLICATION_PASSWORD', nil) },
                             alive: method(:alive?), log: Ops.method(:log))
    end

    def self.metadata(primary)
      TimestampDb::Metadata.new(
        sql, primary.endpoint,
        sql_dir: File.join(COOKBOOKS, 'timestamp_db', 'files', 'default'), cluster: config['cluster'],
        members: config['members'].map { |m| m.slice('name', 'address') }, routers: config['routers'],
        passwords: { 'replication_password' => Ops.env!('MYSQL_REPLICATION_PASSWORD'),
                     'router_password' => Ops.env!('MYSQL_ROUTER_PASSWORD'),
                     'migrator_password' => Ops.env!('DB_MIGRATION_PASSWORD'),
                     'app_password' => Ops.env!('DB_PASSWORD') }
      )
    end
  end

  command('db', 'await', 'SECONDS MEMBER...   each member answers as root (a new datadir: root password set)') do |secs, *names|
    deadline = Time.now + Integer(secs)
    names.each do |name|
      member = Db.members.find { |m| m.name == name } or raise ArgumentError, "unknown member #{name}"
      entry = Db.config['members'].find { |m| m['name'] == name }
      root = TimestampDb::RootAccount.new(Db.sql, member.endpoint, socket: entry.fetch('socket'))
      until root.login_works? || (root.initialize_password(Ops.env!('MYSQL_ROOT_PASSWORD')) && root.login_works?)
        Ops.fail!("#{name}: mysqld exited (see #{entry['log']})") unless Db.alive?(member)
        Ops.fail!("#{name}: mysqld did not answer within #{secs} s (see #{entry['log']})") if Time.now > deadline
        sleep 0.5
      end
    end
  end

  command('db', 'initialize-options', '   stdin: my_print_defaults of my.cnf; stdout: the options --initialize takes') do
    puts TimestampDb::Datadir.initialize_options($stdin.read)
  end

  command('db', 'up', '   every member ONLINE (bootstrap from the most advanced if no group), the metadata ' \
                      "written, the primary printed; exit #{Db::MEMBER_EXITED} + name: a mysqld ended") do
    group = Db.group
    missing = group.form
    warn "warning: not ONLINE: #{missing.map(&:name).join(' ')}" unless missing.empty?
    primary = group.primary or Ops.fail!('the group has no primary')
    Db.metadata(primary).apply(log: ->(message) { Ops.log("metadata: #{message}") })
    puts primary.name
  rescue TimestampDb::MemberExited => e
    Ops.log(e.message)
    puts e.member.name
    exit Db::MEMBER_EXITED
  rescue TimestampDb::DivergedError => e
    Ops.fail!(e.message)
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
