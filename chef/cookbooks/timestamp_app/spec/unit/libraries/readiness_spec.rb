# frozen_string_literal: true

require 'socket'
require_relative '../../../libraries/readiness'

describe TimestampApp::Readiness do
  url = 'http://10.42.0.21:8080/health/ready'

  # Time passes only when the waiter sleeps (or an answer takes time): no real waiting. The
  # clock does not start at 0, as a monotonic clock does not; a waiter that misses its
  # deadline fails here instead of sleeping on forever.
  start = 5000.0
  let(:now) { [start] }
  let(:clock) { -> { now[0] } }
  let(:sleeps) { [] }
  let(:sleep) do
    lambda do |seconds|
      raise 'still waiting an hour on' if now[0] > start + 3600

      sleeps << seconds
      now[0] += seconds
    end
  end
  let(:asked) { [] }
  # The instance's answers, one per request: a status, or an exception (nothing answers);
  # the last one repeats.
  let(:answers) { [200] }
  let(:http) do
    lambda do |target, timeout|
      asked << [target, timeout]
      answer = answers.length > 1 ? answers.shift : answers.first
      raise answer if answer.is_a?(Exception)

      answer
    end
  end
  let(:readiness) { described_class.new(http:, clock:, sleep:) }

  describe '#ready?' do
    it 'is true when /health/ready answers 200, asking once within the probe timeout' do
      expect(readiness.ready?(url)).to be(true)
      expect(asked).to eq([[url, 2]])
    end

    it 'is false on 503 (database out of reach) and on 404 (not deployed yet)' do
      answers.replace([503])
      expect(readiness.ready?(url)).to be(false)
      answers.replace([404])
      expect(readiness.ready?(url)).to be(false)
    end

    it 'is false when nothing answers' do
      answers.replace([Errno::ECONNREFUSED.new])
      expect(readiness.ready?(url)).to be(false)
    end
  end

  describe '#wait' do
    it 'returns at once when the instance is ready' do
      expect(readiness.wait(url, timeout: 240)).to be(true)
      expect(sleeps).to be_empty
    end

    it 'polls every half second until the instance is ready' do
      answers.replace([Errno::ECONNREFUSED.new, 404, 503, 200])
      expect(readiness.wait(url, timeout: 240)).to be(true)
      expect(asked.length).to eq(4)
      expect(sleeps).to eq([0.5, 0.5, 0.5])
    end

    it 'fails after the timeout, naming the instance and its last answer' do
      answers.replace([503])
      expect { readiness.wait(url, timeout: 10, name: 'app-a') }
        .to raise_error(described_class::NotReady, "app-a is not ready after 10 s (#{url}: HTTP 503)")
      expect(now[0]).to eq(start + 10)
      expect(asked.length).to eq(21) # at 0, 0.5, ..., 10 s
    end

    it 'counts the time the answers take against the timeout' do
      slow = lambda do |_target, timeout|
        now[0] += timeout
        raise Net::OpenTimeout, 'execution expired'
      end
      waiter = described_class.new(http: slow, clock:, sleep:)
      expect { waiter.wait(url, timeout: 5) }
        .to raise_error(described_class::NotReady, "#{url} is not ready after 5 s (#{url}: OpenTimeout: execution expired)")
      expect(now[0]).to be < start + 8
    end

    it 'fails at once when the instance stopped, without asking it' do
      answers.replace([503])
      expect { readiness.wait(url, timeout: 240, alive: -> { false }, name: 'app-a') }
        .to raise_error(described_class::NotReady, 'app-a stopped while starting')
      expect(asked).to be_empty
    end

    it 'fails as soon as the instance dies while it waits' do
      answers.replace([503])
      alive = [true, true, false]
      expect { readiness.wait(url, timeout: 240, alive: -> { alive.shift }, name: 'app-a') }
        .to raise_error(described_class::NotReady, 'app-a stopped while starting')
      expect(asked.length).to eq(2)
      expect(now[0]).to eq(start + 1)
    end
  end

  describe '#health' do
    base = 'http://10.42.0.21:8080'

    it 'is ready when /health/ready answers 200' do
      expect(readiness.health(base)).to eq(:ready)
      expect(asked.map(&:first)).to eq(["#{base}/health/ready"])
    end

    it 'is live when only /health/live answers 200' do
      answers.replace([503, 200])
      expect(readiness.health(base)).to eq(:live)
      expect(asked.map(&:first)).to eq(%W[#{base}/health/ready #{base}/health/live])
    end

    it 'is down when neither answers' do
      answers.replace([Errno::EHOSTUNREACH.new])
      expect(readiness.health(base)).to eq(:down)
    end
  end

  # The real HTTP client, against a one-shot server on a free local port.
  describe 'HTTP_GET' do
    it 'returns the status an HTTP server answers' do
      server = TCPServer.new('127.0.0.1', 0)
      answering = Thread.new do
        client = server.accept
        client.gets("\r\n\r\n")
        client.write("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        client.close
      end
      expect(described_class::HTTP_GET.call("http://127.0.0.1:#{server.addr[1]}/health/ready", 2)).to eq(503)
      answering.join
    ensure
      server&.close
    end

    it 'raises when nothing listens' do
      port = TCPServer.open('127.0.0.1', 0) { |s| s.addr[1] }
      expect { described_class::HTTP_GET.call("http://127.0.0.1:#{port}/health/ready", 2) }
        .to raise_error(Errno::ECONNREFUSED)
    end
  end
end
