# frozen_string_literal: true

require 'fileutils'
require 'json'
require 'net/http'
require 'socket'
require 'tmpdir'
require_relative '../../../../timestamp_common/libraries/command_runner'
require_relative '../../../libraries/upstreams'
require_relative '../../../libraries/readiness_probe'
require_relative '../../../libraries/gate_files'
require_relative '../../../libraries/upstream_file'
require_relative '../../../libraries/gate'

describe TimestampLb::Gate do
  # Runs nothing: records each argv with the upstream file as it was at that moment, and
  # answers with the status set for its program ('nginx-test' or 'nginx-reload').
  fake_runner = Class.new do
    attr_reader :calls
    attr_accessor :status

    def initialize(file)
      @file = file
      @calls = []
      @status = Hash.new(0)
    end

    def run(*argv, input: nil, timeout: 30)
      raise ArgumentError, 'unbounded command' unless timeout && input.nil?

      @calls << [argv.first, File.exist?(@file) ? File.read(@file) : nil]
      TimestampCommon::CommandResult.new(@status[argv.first], '', @status[argv.first].zero? ? '' : 'emerg: bad upstream')
    end

    def programs
      @calls.map(&:first)
    end
  end

  let(:dir) { Dir.mktmpdir('gate-spec') }
  let(:upstream_file) { File.join(dir, 'timestamp-upstreams.conf') }
  let(:state_file) { File.join(dir, 'run', 'state.json') }
  let(:drains_file) { File.join(dir, 'timestamp-drains') }
  let(:hosts) do
    [{ 'name' => 'app-b', 'zone' => 'b', 'address' => '10.0.0.2:8080' },
     { 'name' => 'app-a', 'zone' => 'a', 'address' => '10.0.0.1:8080' },
     { 'name' => 'app-c', 'zone' => 'c', 'address' => '10.0.0.3:8080' }]
  end
  let(:settings) do
    { 'upstreams' => hosts, 'upstream_file' => upstream_file, 'state_file' => state_file, 'drains_file' => drains_file,
      'test_command' => %w(nginx-test -q), 'reload_command' => %w(nginx-reload), 'interval_s' => 1, 'timeout_s' => 1,
      'rise' => 2, 'fall' => 2, 'max_fails' => 1, 'fail_timeout' => '5s', 'keepalive' => 32 }
  end
  # What each instance answers on its next probe, by name: a status or an exception class.
  let(:answers) { Hash.new(200) }
  let(:urls) { [] }
  let(:http) do
    names = hosts.to_h { |h| ["http://#{h['address']}/health/ready", h['name']] }
    lambda do |url, _timeout|
      urls << url
      answer = answers[names.fetch(url)]
      answer.is_a?(Class) ? raise(answer) : answer
    end
  end
  let(:runner) { fake_runner.new(upstream_file) }
  let(:now) { [Time.utc(2026, 12, 1, 13, 0, 0).to_f] }
  let(:lines) { [] }
  let(:gate) { described_class.new(settings, runner:, http:, clock: -> { now[0] }, log: ->(line) { lines << line }) }

  after { FileUtils.rm_rf(dir) }

  # The upstream file as Chef's initial template writes it: every instance in rotation.
  def initial_file(drained: [])
    TimestampLb::Upstreams.block(TimestampLb::Upstreams.list(hosts, drained:), max_fails: 1, fail_timeout: '5s', keepalive: 32)
  end

  def answer(statuses)
    answers.merge!(statuses)
  end

  def rounds(count)
    count.times do
      now[0] += 1
      gate.tick
    end
  end

  # { name => 'up' | 'down' } as the upstream file says.
  def rotation
    File.read(upstream_file).scan(/^\s*server \S+ [^;]*?( down)?; # ([\w-]+),/).to_h { |down, name| [name, down ? 'down' : 'up'] }
  end

  def state
    JSON.parse(File.read(state_file))
  end

  def logged(pattern)
    lines.grep(pattern)
  end

  describe 'the first round' do
    it 'takes each first answer as it is: a 200 is in rotation at once, a failure out at once' do
      File.write(upstream_file, initial_file)
      answer('app-b' => 404)
      gate.tick
      expect(rotation).to eq('app-a' => 'up', 'app-b' => 'down', 'app-c' => 'up')
      expect(File.read(upstream_file))
        .to include("  server 10.0.0.2:8080 max_fails=1 fail_timeout=5s down; # app-b, zone b, not ready\n")
      expect(runner.programs).to eq(%w(nginx-test nginx-reload))
      expect(logged(/app-b leaves rotation: not ready \(HTTP 404\)$/).size).to eq(1)
      expect(state.slice('in_rotation', 'not_ready', 'generation'))
        .to eq('in_rotation' => %w(app-a app-c), 'not_ready' => %w(app-b), 'generation' => 1)
    end

    it 'leaves the initial file and nginx alone when every instance is ready, and writes the state at start' do
      File.write(upstream_file, initial_file)
      before = File.stat(upstream_file).ino
      gate.tick
      expect(runner.calls).to eq([])
      expect(File.stat(upstream_file).ino).to eq(before)
      expect(state).to eq('in_rotation' => %w(app-a app-b app-c), 'drained' => [], 'not_ready' => [], 'generation' => 0,
                          'applied_at' => now[0])
      expect(logged(/first round: ready: app-a, app-b, app-c; not ready: none$/).size).to eq(1)
    end

    it 'writes the file when there is none' do
      answer('app-c' => Errno::ECONNREFUSED)
      gate.tick
      expect(rotation).to eq('app-a' => 'up', 'app-b' => 'up', 'app-c' => 'down')
      expect(runner.programs).to eq(%w(nginx-test nginx-reload))
    end

    it 'probes every instance at its ready path, all at once' do
      settings['ready_path'] = '/health/ready'
      slow = lambda do |url, _timeout|
        sleep 0.3
        urls << url
        200
      end
      gate = described_class.new(settings, runner:, http: slow, clock: -> { now[0] }, log: ->(line) { lines << line })
      started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
      gate.tick
      expect(Process.clock_gettime(Process::CLOCK_MONOTONIC) - started).to be < 0.8
      expect(urls.sort).to eq(%w(http://10.0.0.1:8080/health/ready http://10.0.0.2:8080/health/ready
                                 http://10.0.0.3:8080/health/ready))
    end
  end

  describe 'rise and fall' do
    before { File.write(upstream_file, initial_file) }

    it 'puts an instance in rotation after `rise` answers 200 in a row, no sooner' do
      answer('app-c' => 404)
      rounds(1)
      answer('app-c' => 200)
      rounds(1)
      expect(rotation['app-c']).to eq('down')
      answer('app-c' => 503)
      rounds(1)
      answer('app-c' => 200)
      rounds(1)
      expect(rotation['app-c']).to eq('down')
      rounds(1)
      expect(rotation['app-c']).to eq('up')
      expect(logged(/gate: app-c enters rotation: ready \(HTTP 200 x2\)$/).size).to eq(1)
    end

    it 'takes an instance out after `fall` failures in a row, not after one' do
      rounds(1)
      answer('app-b' => 404)
      rounds(1)
      expect(rotation['app-b']).to eq('up')
      answer('app-b' => 200)
      rounds(1)
      answer('app-b' => 404)
      rounds(1)
      expect(rotation['app-b']).to eq('up')
      rounds(1)
      expect(rotation['app-b']).to eq('down')
      expect(logged(/gate: app-b leaves rotation: not ready \(HTTP 404 x2\)$/).size).to eq(1)
    end

    it 'counts a refused connection, a timeout and an error status as failures' do
      rounds(1)
      answer('app-a' => Errno::ECONNREFUSED, 'app-b' => Net::OpenTimeout, 'app-c' => 500)
      rounds(2)
      expect(rotation).to eq('app-a' => 'up', 'app-b' => 'up', 'app-c' => 'up') # the never-empty rule
      expect(state['not_ready']).to eq(%w(app-a app-b app-c))
      answer('app-c' => 200)
      rounds(2)
      expect(rotation).to eq('app-a' => 'down', 'app-b' => 'down', 'app-c' => 'up')
      expect(logged(/app-a leaves rotation: not ready \(refused x4\)$/).size).to eq(1)
      expect(logged(/app-b leaves rotation: not ready \(timeout x4\)$/).size).to eq(1)
    end

    it 'bounds a round by timeout_s: a probe that hangs counts as a timeout' do
      settings['timeout_s'] = 0.2
      hang = lambda do |url, _timeout|
        sleep 5 if url.include?('10.0.0.2')
        200
      end
      gate = described_class.new(settings, runner:, http: hang, clock: -> { now[0] }, log: ->(line) { lines << line })
      started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
      gate.tick
      expect(Process.clock_gettime(Process::CLOCK_MONOTONIC) - started).to be < 1.5
      expect(rotation['app-b']).to eq('down')
      expect(logged(/app-b leaves rotation: not ready \(timeout\)$/).size).to eq(1)
    end
  end

  describe 'operator drains' do
    before { File.write(upstream_file, initial_file) }

    it 'takes a name of the drains file out of rotation, and puts it back once it is gone' do
      rounds(1)
      File.write(drains_file, "# rolling restart\n\napp-b\n")
      rounds(1)
      expect(rotation).to eq('app-a' => 'up', 'app-b' => 'down', 'app-c' => 'up')
      expect(File.read(upstream_file)).to include('down; # app-b, zone b, drained')
      expect(logged(/gate: app-b drained by operator$/).size).to eq(1)
      expect(state.slice('in_rotation', 'drained', 'generation'))
        .to eq('in_rotation' => %w(app-a app-c), 'drained' => %w(app-b), 'generation' => 1)
      File.write(drains_file, '')
      rounds(1)
      expect(rotation['app-b']).to eq('up')
      expect(logged(/gate: app-b enters rotation: undrained by operator, ready \(HTTP 200 x3\)$/).size).to eq(1)
      expect(state.slice('drained', 'generation')).to eq('drained' => [], 'generation' => 2)
    end

    it 'keeps probing a drained instance: it comes back only when ready' do
      File.write(drains_file, "app-b\n")
      rounds(1)
      answer('app-b' => 404)
      rounds(2)
      expect(logged(/app-b is not ready \(HTTP 404 x2\), stays out of rotation: drained by operator$/).size).to eq(1)
      File.delete(drains_file)
      rounds(1)
      expect(rotation['app-b']).to eq('down')
      expect(File.read(upstream_file)).to include('down; # app-b, zone b, not ready')
      answer('app-b' => 200)
      rounds(2)
      expect(rotation['app-b']).to eq('up')
    end

    it "honors the drains Chef knows (settings 'drained') with or without a drains file" do
      settings['drained'] = %w(app-c)
      File.write(upstream_file, initial_file(drained: %w(app-c)))
      rounds(1)
      expect(runner.calls).to eq([]) # the initial file already has it down
      expect(state['drained']).to eq(%w(app-c))
      File.write(drains_file, "app-a\n")
      rounds(1)
      expect(rotation).to eq('app-a' => 'down', 'app-b' => 'up', 'app-c' => 'down')
    end

    it 'logs names it does not know once and ignores them' do
      File.write(drains_file, "app-z\n")
      rounds(3)
      expect(logged(/drains file names unknown instances: app-z \(ignored\)$/).size).to eq(1)
      expect(runner.calls).to eq([])
    end
  end

  describe 'the never-empty rule' do
    before { File.write(upstream_file, initial_file) }

    it 'keeps the last rotation when no instance is ready, and follows readiness again after' do
      answer('app-b' => 404, 'app-c' => 404)
      rounds(1)
      expect(rotation).to eq('app-a' => 'up', 'app-b' => 'down', 'app-c' => 'down')
      answer('app-a' => 503)
      rounds(3)
      expect(rotation).to eq('app-a' => 'up', 'app-b' => 'down', 'app-c' => 'down')
      expect(logged(/no instance is ready: keeping app-a in rotation/).size).to eq(1)
      expect(state.slice('in_rotation', 'not_ready')).to eq('in_rotation' => %w(app-a), 'not_ready' => %w(app-a app-b app-c))
      answer('app-b' => 200)
      rounds(2)
      expect(rotation).to eq('app-a' => 'down', 'app-b' => 'up', 'app-c' => 'down')
      expect(logged(/app-a leaves rotation: not ready \(HTTP 503 x5\)$/).size).to eq(1)
    end

    it 'keeps the whole initial rotation when nothing is ready at start' do
      answer('app-a' => 404, 'app-b' => 404, 'app-c' => Errno::ECONNREFUSED)
      rounds(2)
      expect(runner.calls).to eq([])
      expect(rotation.values.uniq).to eq(%w(up))
      expect(state['in_rotation']).to eq(%w(app-a app-b app-c))
    end

    it 'still honors drains: an operator may drain everything' do
      answer('app-a' => 404, 'app-b' => 404, 'app-c' => 404)
      File.write(drains_file, "app-a\napp-b\napp-c\n")
      rounds(1)
      expect(rotation.values.uniq).to eq(%w(down))
      expect(state['in_rotation']).to eq([])
    end

    it 'puts every undrained instance in rotation when the drains took all of the last one' do
      answer('app-b' => 404, 'app-c' => 404)
      rounds(1)
      answer('app-a' => 404)
      rounds(2)
      File.write(drains_file, "app-a\n")
      rounds(1)
      expect(rotation).to eq('app-a' => 'down', 'app-b' => 'up', 'app-c' => 'up')
    end
  end

  describe 'when nginx rejects the new block' do
    before do
      File.write(upstream_file, initial_file)
      runner.status['nginx-test'] = 1
      answer('app-b' => 404)
    end

    it 'puts the previous file back, does not reload and says so loudly' do
      previous = File.read(upstream_file)
      rounds(1)
      expect(runner.programs).to eq(%w(nginx-test))
      expect(runner.calls.first[1]).to include('down; # app-b, zone b, not ready') # nginx tested the new block
      expect(File.read(upstream_file)).to eq(previous)
      expect(logged(/ERROR: NGINX REJECTED THE NEW UPSTREAM BLOCK \(exit 1: emerg: bad upstream\): previous file restored/).size)
        .to eq(1)
      expect(logged(/leaves rotation/)).to eq([])
      expect(state.slice('in_rotation', 'generation')).to eq('in_rotation' => %w(app-a app-b app-c), 'generation' => 0)
    end

    it 'tries the same block again only after a while, and applies it once nginx accepts it' do
      rounds(5)
      expect(runner.programs).to eq(%w(nginx-test))
      runner.status['nginx-test'] = 0
      now[0] += TimestampLb::UpstreamFile::REJECTED_RETRY_S
      rounds(1)
      expect(runner.programs).to eq(%w(nginx-test nginx-test nginx-reload))
      expect(rotation['app-b']).to eq('down')
      expect(state['generation']).to eq(1)
    end

    it 'removes the new file when there was none before' do
      File.delete(upstream_file)
      rounds(1)
      expect(File.exist?(upstream_file)).to be(false)
    end
  end

  describe 'when the reload fails' do
    it 'keeps the tested file, tries the reload again next round and counts the generation once it works' do
      File.write(upstream_file, initial_file)
      runner.status['nginx-reload'] = 1
      answer('app-b' => 404)
      rounds(2)
      expect(runner.programs).to eq(%w(nginx-test nginx-reload nginx-test nginx-reload))
      expect(rotation['app-b']).to eq('down')
      expect(state['generation']).to eq(0)
      expect(logged(/ERROR: nginx reload failed/).size).to eq(1)
      runner.status['nginx-reload'] = 0
      rounds(2)
      expect(runner.programs.size).to eq(6)
      expect(state.slice('in_rotation', 'generation')).to eq('in_rotation' => %w(app-a app-c), 'generation' => 1)
    end
  end

  describe 'the state file and the upstream file' do
    it 'records each applied change with its generation and time; generations go on after a restart' do
      FileUtils.mkdir_p(File.dirname(state_file))
      File.write(state_file, JSON.generate('generation' => 41))
      File.write(upstream_file, initial_file)
      answer('app-a' => 404)
      rounds(1)
      applied = now[0]
      expect(state).to eq('in_rotation' => %w(app-b app-c), 'drained' => [], 'not_ready' => %w(app-a), 'generation' => 42,
                          'applied_at' => applied)
      answer('app-a' => 200)
      rounds(2)
      expect(state.slice('in_rotation', 'not_ready', 'generation', 'applied_at'))
        .to eq('in_rotation' => %w(app-a app-b app-c), 'not_ready' => [], 'generation' => 43, 'applied_at' => now[0])
      applied = now[0]
      File.write(drains_file, "app-c\n")
      rounds(1)
      answer('app-c' => 404)
      rounds(2)
      # readiness is recorded though nothing was applied: the drained app-c is down anyway
      expect(state).to eq('in_rotation' => %w(app-a app-b), 'drained' => %w(app-c), 'not_ready' => %w(app-c),
                          'generation' => 44, 'applied_at' => applied + 1)
    end

    it 'replaces the upstream file by a rename (a new inode), leaving no temporary file' do
      File.write(upstream_file, initial_file)
      before = File.stat(upstream_file).ino
      answer('app-c' => 404)
      rounds(1)
      expect(File.stat(upstream_file).ino).not_to eq(before)
      expect(Dir.children(dir).sort).to eq(%w(run timestamp-upstreams.conf))
      expect(Dir.children(File.join(dir, 'run'))).to eq(%w(state.json))
    end

    it 'starts from the rotation the file holds (the gate restarted)' do
      File.write(upstream_file, initial_file)
      answer('app-c' => 404)
      rounds(1)
      restarted = described_class.new(settings, runner:, http:, clock: -> { now[0] }, log: ->(line) { lines << line })
      answer('app-a' => 404, 'app-b' => 404)
      restarted.tick
      expect(JSON.parse(File.read(state_file))['in_rotation']).to eq(%w(app-a app-b))
      expect(rotation).to eq('app-a' => 'up', 'app-b' => 'up', 'app-c' => 'down')
    end
  end

  describe 'log lines' do
    it 'are single lines with a UTC timestamp' do
      File.write(upstream_file, initial_file)
      answer('app-b' => 404)
      rounds(1)
      expect(lines).not_to be_empty
      expect(lines).to all(match(/\A2026-12-01T13:00:01Z gate: [^\n]+\z/))
    end
  end

  describe '#run' do
    it 'rounds every interval_s (less the round itself), survives a failing round, stops on #stop' do
      File.write(upstream_file, initial_file)
      slept = []
      gate = nil
      sleeper = lambda do |seconds|
        slept << seconds
        now[0] += seconds
        gate.stop if slept.size == 3
      end
      reads = 0
      allow(TimestampLb::GateFiles).to receive(:drains).and_wrap_original do |original, *args|
        now[0] += 0.25 # each round takes a quarter of a second
        reads += 1
        raise 'boom' if reads == 2

        original.call(*args)
      end
      gate = described_class.new(settings, runner:, http:, clock: -> { now[0] }, sleeper:, log: ->(line) { lines << line })
      gate.run
      expect(slept).to eq([0.75, 0.75, 0.75])
      expect(logged(/ERROR: round failed: RuntimeError: boom$/).size).to eq(1)
      expect(lines.first).to match(/gate: starting: 3 instances, /)
      expect(lines.last).to match(/gate: stopping/)
    end

    it 'stops on SIGTERM and gives the signal back' do
      File.write(upstream_file, initial_file)
      outer = Signal.trap('TERM') { raise 'SIGTERM reached the spec: the gate did not trap it' }
      sleeper = lambda do |_seconds|
        Process.kill('TERM', Process.pid)
        sleep 0.05
      end
      gate = described_class.new(settings, runner:, http:, clock: -> { now[0] }, sleeper:, log: ->(line) { lines << line })
      gate.run
      expect(lines.last).to match(/gate: stopping \(SIGTERM\)/)
      expect(Signal.trap('TERM', outer)).to be_a(Proc) # the spec's own handler, put back
    ensure
      Signal.trap('TERM', outer)
    end
  end

  describe '.from_config' do
    it 'probes over HTTP and runs the commands for real (nothing listens: all kept, the file written)' do
      closed = Array.new(3) do
        server = TCPServer.new('127.0.0.1', 0)
        server.addr[1].tap { server.close }
      end
      hosts.each_with_index { |h, i| h['address'] = "127.0.0.1:#{closed[i]}" }
      gate = described_class.from_config(settings.merge('test_command' => %w(true), 'reload_command' => %w(true)))
      expect { gate.tick }.to output(/\A\S+Z gate: first round: ready: none; not ready: app-a \(refused\),/).to_stdout
      expect(rotation.values).to eq(%w(up up up))
      expect(state.slice('in_rotation', 'not_ready', 'generation'))
        .to eq('in_rotation' => %w(app-a app-b app-c), 'not_ready' => %w(app-a app-b app-c), 'generation' => 1)
    end

    it 'refuses settings without what it writes or runs, or with repeated names' do
      expect { described_class.from_config(settings.except('state_file')) }.to raise_error(ArgumentError, /state_file/)
      expect { described_class.from_config(settings.merge('upstreams' => hosts + [hosts[0]])) }
        .to raise_error(ArgumentError, /repeat/)
      expect { described_class.from_config(settings.merge('rise' => 0)) }.to raise_error(ArgumentError, /rise/)
    end
  end
end
