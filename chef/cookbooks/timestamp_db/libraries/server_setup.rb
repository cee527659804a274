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

  # The root account of a member: a datadir made with --initialize-insecure has root
  # without a password until the first start sets one. Guarded by a real login, so it is
  # set once, without binary logging (a joining member carries no transaction of its own).
  class RootAccount
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

    # Sets the password over the passwordless socket login; false if that login fails
    # (the server is not up yet, or root already has another password).
    def initialize_password(password)
      first_login = TimestampCommon::MysqlEndpoint.new(label: 'root (no password)', socket: @socket, user: 'root')
      !@sql.query(first_login, "SET sql_log_bin = 0; ALTER USER 'root'@'localhost' IDENTIFIED BY " \
                               "#{TimestampCommon::Sql.quote(password)}").nil?
    end
  end
end
