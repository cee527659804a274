# frozen_string_literal: true

module TimestampDb
  # A new datadir: `mysqld --initialize` loads no plugins, so it rejects the options only
  # Group Replication's plugin knows; it gets the server's options without them.
  module Datadir
    PLUGIN_ONLY = /\A--(group[_-]replication[_-]|plugin[_-]load[_-]add=)/

    # options: what `my_print_defaults --defaults-file=MY_CNF mysqld` printed, one per line.
    def self.initialize_options(options)
      options.lines.map(&:chomp).reject(&:empty?).grep_v(PLUGIN_ONLY)
    end
  end

  # The accounts a member needs before it is in any group: root's password (a datadir made
  # with --initialize-insecure has root without one) and the probe account the members'
  # keepers read each other's group state with (a keeper decides whether to join or to
  # bootstrap before any account has replicated). Set once over the first, passwordless
  # socket login, without binary logging: a member carries no transaction of its own. A
  # clone brings the donor's identical accounts.
  class RootAccount
    PROBE_TABLES = %w(performance_schema.replication_group_members
                      performance_schema.replication_connection_status).freeze

    # sql: a TimestampCommon::MysqlClient; endpoint: root's option file (with the password);
    # socket: the server's socket for the first, passwordless login.
    def initialize(sql, endpoint, socket:)
      @sql = sql
      @endpoint = endpoint
      @socket = socket
    end

    def login_works?
      !@sql.query(@endpoint, 'SELECT 1').nil?
    end

    # Sets root's password and creates the probe account ({ 'user' =>, 'password' => }) over
    # the passwordless socket login; false if that login fails (the server is not up yet,
    # or root already has another password).
    def initialize_accounts(password, probe:)
      first_login = TimestampCommon::MysqlEndpoint.new(label: 'root (no password)', socket: @socket, user: 'root')
      account = "#{quote(probe.fetch('user'))}@'%'"
      statements = ['SET sql_log_bin = 0', "ALTER USER 'root'@'localhost' IDENTIFIED BY #{quote(password)}",
                    "CREATE USER IF NOT EXISTS #{account} IDENTIFIED BY #{quote(probe.fetch('password'))}",
                    *PROBE_TABLES.map { |table| "GRANT SELECT ON #{table} TO #{account}" }]
      !@sql.query(first_login, statements.join('; ')).nil?
    end

    private

    def quote(text)
      TimestampCommon::Sql.quote(text)
    end
  end
end
