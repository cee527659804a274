# frozen_string_literal: true

require 'fileutils'
require 'json'

module TimestampLb
  # The files the readiness gate (TimestampLb::Gate) reads and writes.
  module GateFiles
    # The file's text, nil when there is none.
    def self.read(path)
      File.read(path)
    rescue Errno::ENOENT
      nil
    end

    # A temporary file in the same directory (same file system), then a rename over the
    # target: whoever reads the path (nginx, an operator) sees the old file or the new one,
    # never half of one.
    def self.write_atomic(path, text, mode: 0o644)
      dir = File.dirname(path)
      FileUtils.mkdir_p(dir)
      tmp = File.join(dir, ".#{File.basename(path)}.#{Process.pid}.tmp")
      File.open(tmp, 'w', mode) do |file|
        file.write(text)
        file.flush
        file.fsync
      end
      File.rename(tmp, path)
    ensure
      FileUtils.rm_f(tmp) if tmp
    end

    # The generation a state file (Gate) records; 0 without one.
    def self.generation(state_file)
      Integer(JSON.parse(File.read(state_file))['generation'])
    rescue StandardError
      0
    end

    # The names an operator drains: one a line; blank lines and # comments ignored. A
    # missing file drains nothing (other errors raise).
    def self.drains(path)
      return [] unless path

      File.readlines(path, chomp: true).map(&:strip).reject { |line| line.empty? || line.start_with?('#') }
    rescue Errno::ENOENT
      []
    end

    # What an upstream block (Upstreams.block's text) puts in rotation and marks drained:
    # [in_rotation, drained], names in the order of upstreams; nil when it has no server.
    def self.rotation(text, upstreams)
      servers = text.to_s.scan(/^\s*server\s+(\S+)([^;]*);([^\n]*)$/)
      return nil if servers.empty?

      name = upstreams.to_h { |u| [u['address'], u['name']] }
      up = servers.reject { |_, params, _| params.split.include?('down') }.map { |address, _, _| name[address] }
      drained = servers.select { |_, _, note| note.strip.end_with?(', drained') }.map { |address, _, _| name[address] }
      names = upstreams.map { |u| u['name'] }
      [names & up, names & drained]
    end
  end
end
