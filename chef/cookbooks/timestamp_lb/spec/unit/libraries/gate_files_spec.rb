# frozen_string_literal: true

require 'tmpdir'
require_relative '../../../libraries/upstreams'
require_relative '../../../libraries/gate_files'

describe TimestampLb::GateFiles do
  let(:dir) { Dir.mktmpdir('gate-files-spec') }

  after { FileUtils.rm_rf(dir) }

  describe '.write_atomic' do
    it 'writes a temporary file in the same directory and renames it over the target' do
      path = File.join(dir, 'sub', 'file.conf')
      renames = []
      allow(File).to receive(:rename).and_wrap_original do |original, from, to|
        renames << [File.dirname(from), File.read(from), to]
        original.call(from, to)
      end
      described_class.write_atomic(path, "one\n")
      described_class.write_atomic(path, "two\n")
      expect(renames).to eq([[File.dirname(path), "one\n", path], [File.dirname(path), "two\n", path]])
      expect(File.read(path)).to eq("two\n")
      expect(format('%o', File.stat(path).mode & 0o777)).to eq('644')
      expect(Dir.children(File.dirname(path))).to eq(%w(file.conf))
    end

    it 'leaves the old file whole and no temporary file behind when it fails' do
      path = File.join(dir, 'file.conf')
      File.write(path, "old\n")
      allow(File).to receive(:rename).and_raise(Errno::EXDEV)
      expect { described_class.write_atomic(path, "new\n") }.to raise_error(Errno::EXDEV)
      expect(File.read(path)).to eq("old\n")
      expect(Dir.children(dir)).to eq(%w(file.conf))
    end
  end

  describe '.drains' do
    it 'reads one name a line, without blanks and comments; none without a file' do
      path = File.join(dir, 'drains')
      File.write(path, "app-b\n\n  # restarting app-c next\n app-c \n")
      expect(described_class.drains(path)).to eq(%w(app-b app-c))
      expect(described_class.drains(File.join(dir, 'missing'))).to eq([])
      expect(described_class.drains(nil)).to eq([])
    end
  end

  describe '.rotation' do
    hosts = [{ 'name' => 'app-b', 'zone' => 'b', 'address' => '10.0.0.2:8080' },
             { 'name' => 'app-a', 'zone' => 'a', 'address' => '10.0.0.1:8080' },
             { 'name' => 'app-c', 'zone' => 'c', 'address' => '10.0.0.3:8080' }]

    it "reads back what Upstreams.block wrote: who is in rotation and who is drained, in the hosts' order" do
      entries = TimestampLb::Upstreams.list(hosts, drained: %w(app-c)).map { |u| u.merge('not_ready' => u['name'] == 'app-a') }
      text = TimestampLb::Upstreams.block(entries, max_fails: 1, fail_timeout: '5s', keepalive: 32)
      expect(described_class.rotation(text, hosts)).to eq([%w(app-b), %w(app-c)])
    end

    it 'is nil without servers, and ignores addresses it does not know' do
      expect(described_class.rotation(nil, hosts)).to be_nil
      expect(described_class.rotation("upstream timestamp_app {\n}\n", hosts)).to be_nil
      expect(described_class.rotation("  server 10.9.9.9:80 max_fails=1;\n  server 10.0.0.1:8080;\n", hosts))
        .to eq([%w(app-a), []])
    end
  end

  describe '.generation' do
    it "is the state file's generation, 0 when there is none or it is unreadable" do
      path = File.join(dir, 'state.json')
      expect(described_class.generation(path)).to eq(0)
      File.write(path, '{"generation": 7}')
      expect(described_class.generation(path)).to eq(7)
      File.write(path, '{"gener')
      expect(described_class.generation(path)).to eq(0)
    end
  end
end
