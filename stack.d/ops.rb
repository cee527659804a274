#!/usr/bin/env ruby
# frozen_string_literal: true

# The local cluster's one door into the cookbooks' library code: ./stack runs every
# cluster operation through here, with the same classes Chef's resources call.
#
#   ops.rb AREA ACTION [ARGS...]     (areas: stack.d/ops/*.rb; `ops.rb help` lists them)
#
# Settings come from the environment ./stack exports (secrets, paths) and from the JSON
# files it names; answers go to stdout, progress to stderr, failures exit non-zero.
require 'json'

COOKBOOKS = File.expand_path('../chef/cookbooks', __dir__)
# The cookbooks' libraries, as Chef loads them: the cookbook every other depends on first.
Dir[File.join(COOKBOOKS, '*', 'libraries', '*.rb')]
  .sort_by { |file| [file.include?('/timestamp_common/') ? 0 : 1, file] }
  .each { |file| require file }

module Ops
  COMMANDS = {} # rubocop:disable Style/MutableConstant -- filled by stack.d/ops/*.rb

  # Registers ACTION of AREA; the block gets the remaining arguments.
  def self.command(area, action, usage, &block)
    COMMANDS[[area, action]] = [usage, block]
  end

  def self.log(message)
    warn "    #{message}"
  end

  def self.fail!(message)
    warn "error: #{message}"
    exit 1
  end

  def self.env!(name)
    ENV.fetch(name) { fail!("#{name} is not set (ops.rb runs from ./stack)") }
  end

  # When process PID started (clock ticks since boot, field 22 of /proc/PID/stat); nil if
  # there is no such process or it is a zombie.
  def self.start_ticks(pid)
    fields = File.read("/proc/#{pid}/stat").rpartition(') ').last.split # after "(command) "
    fields[0] == 'Z' ? nil : fields[19]
  rescue SystemCallError
    nil
  end

  def self.usage
    COMMANDS.map { |(area, action), (usage, _)| "  #{area} #{action} #{usage}".rstrip }.sort.join("\n")
  end

  def self.main(argv)
    area, action, *args = argv
    _, block = COMMANDS[[area, action]]
    fail!("usage: ops.rb AREA ACTION [ARGS...]\n#{usage}") unless block
    block.call(*args)
  rescue StandardError => e # an operator reads one line, not a backtrace
    fail!("#{area} #{action}: #{e.message}")
  end
end

Dir[File.join(__dir__, 'ops', '*.rb')].each { |file| require file }
Ops.main(ARGV) if $PROGRAM_NAME == __FILE__
