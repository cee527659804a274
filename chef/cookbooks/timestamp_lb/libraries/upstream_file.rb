# frozen_string_literal: true

require 'fileutils'

module TimestampLb
  # The upstream file nginx includes, as the readiness gate (TimestampLb::Gate) changes it:
  # the new text goes in atomically, nginx tests the whole configuration, and only then is
  # nginx reloaded. A text nginx rejects never stays: the previous file is put back at once.
  class UpstreamFile
    # nginx -t and a reload take well under a second; a hung one must not stop the gate.
    COMMAND_TIMEOUT_S = 30
    # A text nginx rejected is tried again (the same text) only after this long: loud, not busy.
    REJECTED_RETRY_S = 30

    attr_reader :path

    # runner: #run(*argv, timeout:) -> CommandResult; clock: seconds; say: (message) -> _.
    def initialize(path, runner:, test_command:, reload_command:, clock:, say:)
      @path = path
      @runner = runner
      @test_command = test_command
      @reload_command = reload_command
      @clock = clock
      @say = say
    end

    def text
      GateFiles.read(@path)
    end

    # Whether text differs from what nginx runs (the file, or a reload still owed).
    def differs?(text)
      text != self.text || @reload_pending == true
    end

    # Puts text in place, has nginx test it, reloads nginx: true once nginx runs it. what:
    # the change in words, for the log line of a rejection.
    def apply(text, what)
      return false if @rejected && @rejected[0] == text && @clock.call - @rejected[1] < REJECTED_RETRY_S

      previous = self.text
      GateFiles.write_atomic(@path, text) unless previous == text
      tested = @runner.run(*@test_command, timeout: COMMAND_TIMEOUT_S)
      return reject(text, previous, tested, what) unless tested.ok?

      @rejected = nil
      reloaded = @runner.run(*@reload_command, timeout: COMMAND_TIMEOUT_S)
      return reload_failed(reloaded) unless reloaded.ok?

      @reload_pending = @reload_error = nil
      true
    end

    private

    def reject(text, previous, tested, what)
      if previous.nil?
        FileUtils.rm_f(@path)
      elsif previous != text
        GateFiles.write_atomic(@path, previous)
      end
      @rejected = [text, @clock.call]
      @say.call("ERROR: NGINX REJECTED THE NEW UPSTREAM BLOCK (#{error(tested)}): previous file restored, " \
                "nginx NOT reloaded, #{what}; trying again in #{REJECTED_RETRY_S} s")
      false
    end

    # The new file passed nginx -t and stays; the reload is tried again next round (logged
    # once per distinct error).
    def reload_failed(result)
      @reload_pending = true
      message = error(result)
      @say.call("ERROR: nginx reload failed (#{message}): trying again every round") if message != @reload_error
      @reload_error = message
      false
    end

    def error(result)
      "exit #{result.status}: #{[result.stderr, result.stdout].join(' ').strip.gsub(/\s+/, ' ')[0, 300]}"
    end
  end
end
