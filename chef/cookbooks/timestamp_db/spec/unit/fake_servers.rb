# frozen_string_literal: true

# A make-believe group of MySQL servers that answers the queries TimestampDb::Group sends,
# the way Group Replication would: enough to check decisions and statement order.
class FakeServers
  attr_reader :log

  def initialize(names)
    @servers = names.each_with_index.to_h do |name, i|
      [name, { address: "10.0.0.1#{i + 1}", uuid: "uuid-#{name}", state: 'OFFLINE', up: true, gtids: '' }]
    end
    @group = [] # names in the group, the first is PRIMARY
    @log = []
    @bootstrap = false
  end

  def [](name)
    @servers.fetch(name)
  end

  def form(*names)
    @group = names
    names.each { |n| self[n][:state] = 'ONLINE' }
  end

  def statements(name = nil)
    @log.select { |n, _| name.nil? || n == name }.map { |n, s| name ? s : "#{n}: #{s}" }
  end

  def query(endpoint, sql, timeout: 10)
    name = endpoint.label
    server = self[name]
    return nil unless server[:up]

    statement = sql.strip.gsub(/\s+/, ' ')
    @log << [name, statement] unless statement.start_with?('SELECT')
    answer(name, server, statement, timeout)
  end

  def value(endpoint, sql, timeout: 10)
    query(endpoint, sql, timeout:)&.first&.first
  end

  private

  def answer(name, server, statement, _timeout)
    case statement
    when /replication_group_members/ then view(name, server)
    when /GTID_SUBTRACT\(@@GLOBAL.gtid_executed, '([^']*)'\)/ then [[subtract(server[:gtids], Regexp.last_match(1))]]
    when /gtid_executed/ then [[server[:gtids]]]
    when /GTID_SUBSET\('([^']*)', '([^']*)'\)/ then [[subset?(Regexp.last_match(1), Regexp.last_match(2)) ? '1' : '0']]
    when /bootstrap_group = ON; START GROUP_REPLICATION/ then start(name, server, bootstrap: true)
    when 'START GROUP_REPLICATION' then start(name, server, bootstrap: false)
    when 'STOP GROUP_REPLICATION'
      @group.delete(name)
      server[:state] = 'OFFLINE'
      []
    else []
    end
  end

  def view(name, server)
    return server[:view].call if server[:view]
    return [['self', server[:uuid], server[:address], server[:state], '-']] unless @group.include?(name)

    @group.sort_by { |n| n == name ? 0 : 1 }.map do |n|
      [n == name ? 'self' : 'peer', self[n][:uuid], self[n][:address], self[n][:state],
       n == @group.first ? 'PRIMARY' : 'SECONDARY']
    end
  end

  def start(name, server, bootstrap:)
    return nil if !bootstrap && @group.empty?

    @group << name
    server[:state] = server[:joins_as] || 'ONLINE'
    []
  end

  # GTID sets here are "uuid:N" items separated by commas: set arithmetic on items.
  def items(set)
    set.split(',').reject(&:empty?)
  end

  def subset?(set, of)
    (items(set) - items(of)).empty?
  end

  def subtract(set, other)
    (items(set) - items(other)).join(',')
  end
end
