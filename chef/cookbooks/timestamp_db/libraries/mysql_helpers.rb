# frozen_string_literal: true

require 'tempfile'

module TimestampDb
  # Talks to MySQL with the mysql client, the way an operator would: queries run as
  # root over the local socket (root's option file), peers are asked over TCP with an
  # account given in a temporary option file, so no password reaches a command line.
  module Helpers
    GROUP_VIEW_SQL = <<~SQL
      SELECT IF(MEMBER_ID = @@server_uuid, 'self', 'peer'), MEMBER_ID, MEMBER_HOST,
             IF(MEMBER_STATE = '', 'OFFLINE', MEMBER_STATE), IF(MEMBER_ROLE = '', '-', MEMBER_ROLE)
        FROM performance_schema.replication_group_members
       WHERE CHANNEL_NAME = 'group_replication_applier'
    SQL

    # Rows (arrays of fields) of one query on the local member; nil if it does not answer.
    def local_query(client, defaults_file, sql)
      out = shell_out(client, "--defaults-file=#{defaults_file}", '--connect-timeout=5', '-NB', '-e', sql, timeout: 30)
      return nil if out.error?

      out.stdout.lines.map { |line| line.chomp.split("\t") }
    end

    def local_query!(client, defaults_file, sql)
      local_query(client, defaults_file, sql) || raise("query failed on the local member: #{sql.lines.first.strip}")
    end

    # Runs a SQL file on the local member after the given SET statements (stdin only).
    def local_source!(client, defaults_file, file, assignments = {})
      sets = assignments.map do |name, value|
        "SET @#{name} = #{value.is_a?(Integer) ? value : TimestampCommon::Sql.quote(value)};"
      end
      shell_out!(client, "--defaults-file=#{defaults_file}", '--connect-timeout=5', '-NB',
                 input: "#{sets.join("\n")}\n#{::File.read(file)}", timeout: 120, sensitive: true)
    end

    # Rows of one query on a peer over TCP; nil if it does not answer.
    def peer_query(client, address, port, user, password, sql)
      Tempfile.create('timestamp-peer') do |file|
        file.chmod(0o600)
        file.write("[client]\nuser=#{user}\npassword=\"#{password}\"\n")
        file.flush
        out = shell_out(client, "--defaults-extra-file=#{file.path}", '--no-defaults-group-suffix',
                        '-h', address, '-P', port.to_s, '--protocol=TCP', '--get-server-public-key',
                        '--connect-timeout=3', '-NB', '-e', sql, timeout: 15)
        out.error? ? nil : out.stdout.lines.map { |line| line.chomp.split("\t") }
      end
    end

    # The group as a member sees it: [{self:, uuid:, host:, state:, role:}, ...]
    def group_view(rows)
      Array(rows).map { |r| { self: r[0] == 'self', uuid: r[1], host: r[2], state: r[3], role: r[4] } }
    end

    # True if the view's own member is ONLINE and more than half of the view is ONLINE
    # (a member cut off from the others still calls itself ONLINE in a stale view).
    def quorum?(view)
      online = view.count { |m| m[:state] == 'ONLINE' }
      view.any? { |m| m[:self] && m[:state] == 'ONLINE' } && online * 2 > view.size
    end
  end
end
