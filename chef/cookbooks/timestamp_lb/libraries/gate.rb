# frozen_string_literal: true

require 'json'

module TimestampLb
  # The readiness gate: open-source nginx checks its upstreams only passively and changes
  # them only on reload, so an instance its supervisor restarts would get live traffic while
  # Payara Micro still answers 404 (the application is not deployed yet). Each round the gate
  # asks every instance's readiness (ReadinessProbe) and keeps in nginx's rotation those that
  # are ready and not drained by an operator: when that changes it rewrites the upstream file
  # (Upstreams.block), has nginx test it, reloads nginx and records the state (JSON). It runs
  # under timestamp_common's launcher (timestamp_program.rb): from_config(settings).run.
  class Gate
    DEFAULTS = { 'ready_path' => '/health/ready', 'interval_s' => 1, 'timeout_s' => 1, 'rise' => 2, 'fall' => 2,
                 'drained' => [], 'drains_file' => nil, 'max_fails' => 1, 'fail_timeout' => '5s',
                 'keepalive' => 32 }.freeze
    REQUIRED = %w(upstreams upstream_file state_file test_command reload_command).freeze

    def self.from_config(settings)
      new(settings, runner: TimestampCommon::CommandRunner.new)
    end

    # settings: string keys (DEFAULTS, REQUIRED; README). runner: #run(*argv, timeout:) ->
    # CommandResult; http: (url, timeout) -> status; clock: epoch seconds; sleeper:
    # (seconds) -> _; log: (line) -> _.
    def initialize(settings, runner:, http: ReadinessProbe::HTTP_GET, clock: -> { Time.now.to_f },
                   sleeper: ->(seconds) { Kernel.sleep(seconds) }, log: ->(line) { $stdout.puts(line) })
      @settings = DEFAULTS.merge(settings.to_h.transform_keys(&:to_s))
      @upstreams = Upstreams.list(@settings['upstreams'], drained: @settings['drained'])
      @names = @upstreams.map { |u| u['name'].to_s }
      validate
      @interval_s = Float(@settings['interval_s'])
      @probe = ReadinessProbe.new(@upstreams, ready_path: @settings['ready_path'], timeout_s: Float(@settings['timeout_s']),
                                              rise: Integer(@settings['rise']), fall: Integer(@settings['fall']), http:)
      @file = UpstreamFile.new(@settings['upstream_file'], runner:, clock:, say: method(:say),
                                                           test_command: @settings['test_command'],
                                                           reload_command: @settings['reload_command'])
      @clock = clock
      @sleeper = sleeper
      @log = log
      # Generations go on across restarts of the gate (the state file survives them).
      @generation = GateFiles.generation(@settings['state_file'])
      @chef_drains = @drains = @upstreams.select { |u| u['drained'] }.map { |u| u['name'] }
    end

    # One round: probe every instance, decide the rotation, apply it if the file differs.
    def tick
      first = @applied.nil?
      load_applied if first
      drains = operator_drains
      changed = @probe.round
      say "first round: #{@probe.summary}" if first
      wanted = rotation(drains)
      text = block(wanted, drains)
      before = @applied
      apply(text, wanted, drains) if @file.differs?(text)
      log_readiness(changed.select { |name, _| before.include?(name) == @applied.include?(name) }, drains)
      write_state
      @drains = drains
    end

    # Rounds every interval_s until SIGTERM (or #stop); a failed round is logged, not fatal.
    def run
      previous = Signal.trap('TERM') { @stopping = true }
      say "starting: #{@names.size} instances, #{@settings['ready_path']} every #{@settings['interval_s']} s " \
          "(timeout #{@settings['timeout_s']} s, rise #{@settings['rise']}, fall #{@settings['fall']}), " \
          "writing #{@file.path}"
      until @stopping
        started = @clock.call
        begin
          tick
        rescue StandardError => e
          say "ERROR: round failed: #{e.class}: #{e.message}"
        end
        @sleeper.call((@interval_s - (@clock.call - started)).clamp(0, @interval_s)) unless @stopping
      end
      say 'stopping (SIGTERM)'
    ensure
      Signal.trap('TERM', previous || 'DEFAULT')
    end

    def stop
      @stopping = true
    end

    private

    def validate
      missing = REQUIRED.reject { |key| @settings[key] }
      raise ArgumentError, "gate settings lack #{missing.join(', ')}" unless missing.empty?
      raise ArgumentError, 'gate settings: no upstreams' if @names.empty?
      raise ArgumentError, "gate settings: upstream names repeat: #{@names.join(', ')}" if @names.uniq.size < @names.size
    end

    # ---- the rotation --------------------------------------------------------------------

    # The drains Chef knows (settings 'drained') and those of the drains file, in list order.
    # An unreadable file keeps the last drains; unknown names are logged once and ignored.
    def operator_drains
      named = GateFiles.drains(@settings['drains_file'])
      unknown = named - @names
      say "drains file names unknown instances: #{list(unknown)} (ignored)" if unknown.any? && unknown != @unknown
      @unknown = unknown
      @names & (@chef_drains | named)
    rescue SystemCallError => e
      say "ERROR: cannot read #{@settings['drains_file']} (#{e.message}): keeping the last drains"
      @drains
    end

    # The instances that are ready and not drained. Never empty for lack of readiness alone:
    # when no undrained instance is ready the last rotation stays (less the drained ones; if
    # nothing is left of it, every undrained instance): nginx's passive checks and its JSON
    # 503 still apply, and an empty rotation helps nobody. Drains are honored even then.
    def rotation(drains)
      candidates = @names - drains
      ready = candidates.select { |name| @probe.ready?(name) }
      if ready.empty? && !candidates.empty?
        kept = candidates & @applied
        kept = candidates if kept.empty?
        say "no instance is ready: keeping #{list(kept)} in rotation (an empty rotation helps nobody)" if kept != @keeping
        return @keeping = kept
      end
      say "#{list(ready)} ready: the rotation follows readiness again" if @keeping && ready.any?
      @keeping = nil
      ready
    end

    def block(wanted, drains)
      entries = @upstreams.map do |u|
        drained = drains.include?(u['name'])
        u.merge('drained' => drained, 'not_ready' => !drained && !wanted.include?(u['name']))
      end
      Upstreams.block(entries, max_fails: @settings['max_fails'], fail_timeout: @settings['fail_timeout'],
                               keepalive: @settings['keepalive'])
    end

    # ---- applying it ---------------------------------------------------------------------

    # Has the file apply the block; once nginx runs it, logs who moved and why.
    def apply(text, wanted, drains)
      return unless @file.apply(text, "in rotation stays #{list(@applied)} (wanted: #{list(wanted)})")

      log_moves(wanted, drains)
      @applied = wanted
      @applied_drains = drains
      @applied_at = @clock.call
      @generation += 1
      say "generation #{@generation} applied: in rotation: #{list(wanted)}"
    end

    # ---- what nginx runs, and the state file ---------------------------------------------

    # At start: the rotation the upstream file already holds (the recipe's initial file or
    # this gate's last write); without one, what the initial file would hold.
    def load_applied
      @applied, @applied_drains = GateFiles.rotation(@file.text, @upstreams) ||
                                  [@names - @chef_drains, @chef_drains]
      @applied_at = @clock.call
    end

    # Written at start and whenever it changes: what nginx runs (in_rotation, drained, the
    # generation and when it was applied) and which instances are not ready now.
    def write_state
      state = { 'in_rotation' => @applied, 'drained' => @applied_drains,
                'not_ready' => @names.reject { |name| @probe.ready?(name) }, 'generation' => @generation }
      return if state == @state

      GateFiles.write_atomic(@settings['state_file'], "#{JSON.pretty_generate(state.merge('applied_at' => @applied_at))}\n")
      @state = state
    end

    # ---- log lines -------------------------------------------------------------------------

    # One line per instance that entered or left rotation, and why.
    def log_moves(wanted, drains)
      (wanted - @applied).each do |name|
        reason = @probe.ready?(name) ? "ready (#{@probe.why(name)})" : 'no instance is ready'
        reason = "undrained by operator, #{reason}" if @applied_drains.include?(name)
        say "#{name} enters rotation: #{reason}"
      end
      (@applied - wanted).each do |name|
        say(drains.include?(name) ? "#{name} drained by operator" : "#{name} leaves rotation: not ready (#{@probe.why(name)})")
      end
    end

    # Verdicts that changed without moving the instance: drained, kept in rotation as one of
    # the last, or the change was not applied (nginx rejected it, the reload failed).
    def log_readiness(changed, drains)
      changed.each do |name, ready|
        where = @applied.include?(name) ? 'in' : 'out of'
        reason = if drains.include?(name) then ': drained by operator'
                 elsif @keeping&.include?(name) then ': no instance is ready'
                 end
        say "#{name} is #{'not ' unless ready}ready (#{@probe.why(name)}), stays #{where} rotation#{reason}"
      end
    end

    def list(names)
      names.nil? || names.empty? ? 'none' : names.join(', ')
    end

    def say(message)
      @log.call("#{Time.at(@clock.call).utc.strftime('%Y-%m-%dT%H:%M:%SZ')} gate: #{message}")
    end
  end
end
