# frozen_string_literal: true

# The group's members as TimestampCommon::MysqlClient reaches them, for the archiver and the
# backup: each answers its view of the group (TimestampDb::GroupView's query) and its
# transaction sets. Members are in the group (state and role as given, the first PRIMARY)
# until they leave; a member out of it sees itself alone, OFFLINE.
class FakeGroup
  Server = Struct.new(:name, :address, :state, :role, :executed, :purged, :up, keyword_init: true)

  attr_reader :queries

  def initialize(names)
    @servers = names.each_with_index.to_h do |name, i|
      [name, Server.new(name:, address: "10.0.0.1#{i + 1}", state: 'ONLINE', role: i.zero? ? 'PRIMARY' : 'SECONDARY',
                        executed: '', purged: '', up: true)]
    end
    @group = names.dup
    @queries = []
    @mutex = Mutex.new
  end

  def [](name)
    @servers.fetch(name)
  end

  # The settings' members: [{ 'name' =>, 'address' => }].
  def members
    @servers.values.map { |s| { 'name' => s.name, 'address' => s.address } }
  end

  def leave(*names)
    @group -= names
  end

  def query(endpoint, sql, **)
    server = self[endpoint.label]
    @mutex.synchronize { @queries << [server.name, sql.strip.gsub(/\s+/, ' ')] }
    return nil unless server.up

    case sql
    when /replication_group_members/ then view(server)
    when /gtid_executed, @@GLOBAL.gtid_purged/ then [[server.executed, server.purged]]
    when /gtid_executed/ then [[server.executed]]
    else []
    end
  end

  def value(endpoint, sql, timeout: 10)
    query(endpoint, sql, timeout:)&.first&.first
  end

  private

  def view(server)
    return [['self', "uuid-#{server.name}", server.address, 'OFFLINE', '-']] unless @group.include?(server.name)

    @group.map { |n| self[n] }.sort_by { |s| s == server ? 0 : 1 }.map do |s|
      [s == server ? 'self' : 'peer', "uuid-#{s.name}", s.address, s.state, s.role]
    end
  end
end
