# frozen_string_literal: true

require 'tempfile'

module TimestampCommon
  # SQL literal quoting for values passed to the mysql client on stdin.
  module Sql
    def self.quote(value)
      "'#{value.to_s.gsub('\\', '\\\\\\\\').gsub("'", "\\\\'")}'"
    end

    # SET statements for a cookbook SQL file's session variables (integers unquoted).
    def self.assignments(values)
      values.map { |name, value| "SET @#{name} = #{value.is_a?(Integer) ? value : quote(value)};\n" }.join
    end
  end

  # How the mysql client reaches one server: an option file (root over the local socket);
  # a socket and user without a password (a new datadir's root); or host, port, user and
  # password over TCP (written to a private option file for the duration of the call, so no
  # password reaches a command line).
  MysqlEndpoint = Struct.new(:label, :defaults_file, :socket, :host, :port, :user, :password, keyword_init: true) do
    def to_s
      label || host || defaults_file
    end
  end

  # Runs SQL through the real mysql client, as an operator would.
  class MysqlClient
    attr_reader :runner

    # client: the client's argv (['/usr/bin/mysql'], or a loader command line before it).
    def initialize(runner, client:, connect_timeout: 2)
      @runner = runner
      @client = Array(client)
      @connect_timeout = connect_timeout
    end

    # Rows (arrays of tab-separated fields) of the statements' output; nil when the server
    # does not answer, the statement fails or the client is not installed.
    def query(endpoint, sql, timeout: 10)
      result = call(endpoint, ['-NB', '-e', sql], timeout:)
      result.ok? ? result.stdout.lines.map { |line| line.chomp.split("\t", -1) } : nil
    end

    # The first field of the first row, or nil.
    def value(endpoint, sql, timeout: 10)
      rows = query(endpoint, sql, timeout:)
      rows&.first&.first
    end

    # Runs a script on stdin (secrets travel there); raises with the client's message.
    def source!(endpoint, script, timeout: 120)
      result = call(endpoint, ['-NB'], input: script, timeout:)
      raise "mysql on #{endpoint}: #{result.stderr.strip}" unless result.ok?

      result.stdout
    end

    private

    def call(endpoint, args, input: nil, timeout: 10)
      return run(["--defaults-file=#{endpoint.defaults_file}", *args], input, timeout) if endpoint.defaults_file
      return run(['--no-defaults', "--socket=#{endpoint.socket}", "--user=#{endpoint.user}", *args], input, timeout) \
        if endpoint.socket

      Tempfile.create('timestamp-mysql') do |file|
        file.chmod(0o600)
        file.write("[client]\nuser=#{endpoint.user}\npassword=\"#{endpoint.password}\"\n")
        file.flush
        run(["--defaults-extra-file=#{file.path}", '-h', endpoint.host, '-P', endpoint.port.to_s, '--protocol=TCP',
             '--get-server-public-key', *args], input, timeout)
      end
    end

    def run(args, input, timeout)
      @runner.run(*@client, *args.first(1), "--connect-timeout=#{@connect_timeout}", *args.drop(1),
                  input:, timeout:)
    end
  end
end
