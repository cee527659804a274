# frozen_string_literal: true

require 'socket'
require_relative '../../../libraries/readiness_probe'

describe TimestampLb::ReadinessProbe do
  upstreams = [{ 'name' => 'app-a', 'address' => '10.0.0.1:8080' }, { 'name' => 'app-b', 'address' => '10.0.0.2:8080' }]

  # answers: { name => [status or exception class, ...] } taken in turn, the last one kept.
  def probe_with(upstreams, answers, rise: 2, fall: 2)
    by_url = upstreams.to_h { |u| ["http://#{u['address']}/health/ready", u['name']] }
    http = lambda do |url, timeout|
      raise ArgumentError, "timeout #{timeout}" unless timeout.to_s == '1.0'

      queue = answers.fetch(by_url.fetch(url))
      answer = queue.size > 1 ? queue.shift : queue.first
      answer.is_a?(Class) ? raise(answer) : answer
    end
    described_class.new(upstreams, ready_path: '/health/ready', timeout_s: 1.0, rise:, fall:, http:)
  end

  it 'judges the first answer alone, then needs rise successes or fall failures in a row' do
    probe = probe_with(upstreams, { 'app-a' => [200, 404, 200, 404, 404], 'app-b' => [404, 200, 503, 200, 200] })
    expect(probe.round).to eq({})
    expect([probe.ready?('app-a'), probe.ready?('app-b')]).to eq([true, false])
    expect(probe.round).to eq({}) # one failure, one success: nothing moves
    expect(probe.round).to eq({})
    expect(probe.round).to eq({})
    expect(probe.round).to eq('app-a' => false, 'app-b' => true)
    expect(probe.why('app-a')).to eq('HTTP 404 x2')
    expect(probe.why('app-b')).to eq('HTTP 200 x2')
    expect(probe.summary).to eq('ready: app-b; not ready: app-a (HTTP 404 x2)')
  end

  it 'takes rise and fall as given' do
    probe = probe_with(upstreams.first(1), { 'app-a' => [404, 200, 200, 200] }, rise: 3, fall: 1)
    3.times { probe.round }
    expect(probe.ready?('app-a')).to be(false)
    expect(probe.round).to eq('app-a' => true)
    expect { probe_with(upstreams, {}, fall: 0) }.to raise_error(ArgumentError)
  end

  it 'counts refused, timed out and failed probes as failures, in words' do
    probe = probe_with(upstreams, { 'app-a' => [Errno::ECONNREFUSED], 'app-b' => [Net::ReadTimeout] })
    probe.round
    expect([probe.why('app-a'), probe.why('app-b')]).to eq(%w(refused timeout))
    probe = probe_with(upstreams.first(1), { 'app-a' => [SocketError] })
    probe.round
    expect(probe.why('app-a')).to eq('SocketError')
    expect(probe.ready?('app-a')).to be(false)
  end

  describe 'HTTP_GET' do
    # A one-connection HTTP server on a free port: answers status, or nothing at all.
    def serve(status)
      server = TCPServer.new('127.0.0.1', 0)
      thread = Thread.new do
        client = server.accept
        client.gets
        client.write("HTTP/1.1 #{status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n") if status
        sleep 2 unless status
        client.close
      end
      [server, thread]
    end

    it 'answers the status' do
      server, thread = serve(404)
      expect(described_class::HTTP_GET.call("http://127.0.0.1:#{server.addr[1]}/health/ready", 1)).to eq(404)
    ensure
      thread.join
      server.close
    end

    it 'never goes through a proxy the environment names' do
      proxy = ENV.fetch('http_proxy', nil)
      ENV['http_proxy'] = 'http://10.9.9.9:3128'
      connected = []
      allow(Socket).to receive(:tcp) do |host, port, *|
        connected << "#{host}:#{port}"
        raise Errno::ECONNREFUSED
      end
      expect { described_class::HTTP_GET.call('http://192.0.2.1:8080/health/ready', 0.3) }.to raise_error(Errno::ECONNREFUSED)
      expect(connected).to eq(%w(192.0.2.1:8080))
    ensure
      ENV['http_proxy'] = proxy
    end

    it 'raises within its timeout when nothing answers, at once when the port is closed' do
      server, thread = serve(nil)
      started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
      expect { described_class::HTTP_GET.call("http://127.0.0.1:#{server.addr[1]}/", 0.3) }.to raise_error(Net::ReadTimeout)
      expect(Process.clock_gettime(Process::CLOCK_MONOTONIC) - started).to be < 1
      port = server.addr[1]
      thread.kill
      server.close
      expect { described_class::HTTP_GET.call("http://127.0.0.1:#{port}/", 0.3) }.to raise_error(Errno::ECONNREFUSED)
    end
  end
end
