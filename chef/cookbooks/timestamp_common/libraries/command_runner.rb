# frozen_string_literal: true

require 'open3'

module TimestampCommon
  # What one command did. Status 127: the program is not installed (yet); 124: it ran out
  # of time. Library classes treat both as "cannot tell", never as an answer.
  CommandResult = Struct.new(:status, :stdout, :stderr) do
    def ok?
      status.zero?
    end

    def missing?
      status == 127
    end
  end

  # Runs a program (an argv, never a shell line) with optional standard input, bounded in
  # time by coreutils' timeout. It is the one seam between the cookbooks' library classes
  # and the machine: Chef's resources and the local cluster's ./stack both run the classes
  # with this runner; unit tests give them a fake with the same #run.
  class CommandRunner
    KILL_AFTER_S = 5

    def run(*argv, input: nil, timeout: 30)
      command = ['timeout', '-k', KILL_AFTER_S.to_s, timeout.to_s, *argv]
      stdout, stderr, status = Open3.capture3(*command, stdin_data: input.to_s)
      CommandResult.new(status.exitstatus || (128 + status.termsig.to_i), stdout, stderr)
    rescue Errno::ENOENT => e
      CommandResult.new(127, '', e.message)
    end
  end
end
