# frozen_string_literal: true

require 'open3'
require 'tmpdir'
require_relative '../../spec_helper'

describe TimestampBackup::Store do
  let(:dir) { Dir.mktmpdir }
  let(:store) { described_class.new(dir) }

  after { FileUtils.remove_entry(dir) }

  def stage(id)
    staged = store.staging(id)
    File.write(File.join(staged, described_class::ARCHIVE), "archive of #{id}")
    staged
  end

  def publish(id)
    stage(id)
    store.publish(id, { 'id' => id, 'timeline' => 1 })
  end

  describe '#publish' do
    it 'makes a backup appear only once it is complete: a staged one is not listed' do
      staged = stage('20250615T100000Z')
      expect(store.manifests).to eq []
      expect(Dir.exist?(File.join(store.backups_dir, '20250615T100000Z'))).to be false

      store.publish('20250615T100000Z', { 'id' => '20250615T100000Z', 'timeline' => 1 })
      expect(store.manifests).to eq [{ 'id' => '20250615T100000Z', 'timeline' => 1 }]
      expect(store.manifest('20250615T100000Z')).to eq('id' => '20250615T100000Z', 'timeline' => 1)
      expect(File.read(store.archive_path('20250615T100000Z'))).to eq 'archive of 20250615T100000Z'
      expect(Dir.exist?(staged)).to be false
    end

    it 'leaves nothing of a discarded backup' do
      staged = stage('20250615T100000Z')
      store.discard('20250615T100000Z')
      expect(Dir.exist?(staged)).to be false
      expect(store.manifests).to eq []
    end
  end

  it 'lists the manifests oldest first, whatever the order they were published in' do
    %w(20250615T120000Z 20250614T230000Z 20250615T090000Z).each { |id| publish(id) }
    expect(store.manifests.map { |m| m['id'] }).to eq %w(20250614T230000Z 20250615T090000Z 20250615T120000Z)
  end

  describe '#prune' do
    before { %w(20250615T040000Z 20250615T010000Z 20250615T030000Z 20250615T020000Z).each { |id| publish(id) } }

    it 'keeps the newest N and removes the older ones, returning their ids' do
      expect(store.prune(keep: 2)).to eq %w(20250615T010000Z 20250615T020000Z)
      expect(store.manifests.map { |m| m['id'] }).to eq %w(20250615T030000Z 20250615T040000Z)
      expect(Dir.children(store.backups_dir).sort).to eq %w(20250615T030000Z 20250615T040000Z)
    end

    it 'removes nothing when there are no more than N' do
      expect(store.prune(keep: 4)).to eq []
      expect(store.prune(keep: 10)).to eq []
      expect(store.manifests.size).to eq 4
    end
  end

  describe '.file_checksums' do
    it 'covers every file below the directory, nested and hidden ones included, and no directory' do
      data = File.join(dir, 'data')
      FileUtils.mkdir_p(File.join(data, 'ts', 'deeper'))
      File.write(File.join(data, 'ibdata1'), 'x' * 1000)
      File.binwrite(File.join(data, 'ts', 'deeper', 'events.ibd'), "\x00\xFFrows".b)
      File.write(File.join(data, '.hidden'), '')
      expect(described_class.file_checksums(data)).to eq(
        '.hidden' => { 'size' => 0, 'sha256' => Digest::SHA256.hexdigest('') },
        'ibdata1' => { 'size' => 1000, 'sha256' => Digest::SHA256.hexdigest('x' * 1000) },
        'ts/deeper/events.ibd' => { 'size' => 6, 'sha256' => Digest::SHA256.hexdigest("\x00\xFFrows".b) }
      )
    end
  end

  describe '.pack and .unpack (tar | zstd | age)' do
    let(:tools) { %w(age age-keygen zstd tar).to_h { |tool| [tool, which(tool)] } }
    let(:data) { File.join(dir, 'data') }
    let(:archive) { File.join(dir, described_class::ARCHIVE) }
    let(:secret) { 'row 42: the service’s secret payload' }

    before do
      missing = tools.select { |_, path| path.nil? }.keys
      skip "#{missing.join(', ')} not installed: the pack/unpack round trip is not tested" unless missing.empty?
      FileUtils.mkdir_p(File.join(data, 'ts'))
      File.write(File.join(data, 'ts', 'events.ibd'), secret * 100)
      File.write(File.join(data, 'auto.cnf'), "[auto]\n")
    end

    def which(tool)
      ENV['PATH'].split(File::PATH_SEPARATOR).map { |d| File.join(d, tool) }.find { |f| File.executable?(f) }
    end

    # An age key pair: [identity file, recipient].
    def key(name)
      path = File.join(dir, name)
      _, err, status = Open3.capture3(tools['age-keygen'], '-o', path)
      raise "age-keygen failed: #{err}" unless status.success?

      [path, File.read(path)[/^# public key: (age1\S+)$/, 1]]
    end

    # The tools' own complaints go to the null device, not the spec's output.
    def quietly
      saved = $stderr.dup
      $stderr.reopen(File::NULL)
      yield
    ensure
      $stderr.reopen(saved)
    end

    it 'packs a directory that only the identity reads back, byte for byte' do
      identity, recipient = key('backup.key')
      described_class.pack(data, archive, recipient:, zstd: tools['zstd'], age: tools['age'])
      expect(File.binread(archive)).to start_with('age-encryption.org/v1')
      expect(File.binread(archive)).not_to include('secret payload')

      out = File.join(dir, 'restored')
      described_class.unpack(archive, out, identity:, zstd: tools['zstd'], age: tools['age'])
      expect(described_class.file_checksums(out)).to eq described_class.file_checksums(data)
      expect(described_class.file_checksums(out).keys).to eq %w(auto.cnf ts/events.ibd)
    end

    it 'raises when unpacked with another key, or from a damaged archive' do
      identity, recipient = key('backup.key')
      wrong, = key('other.key')
      described_class.pack(data, archive, recipient:, zstd: tools['zstd'], age: tools['age'])
      unpack = lambda do |identity_file|
        described_class.unpack(archive, File.join(dir, 'out'), identity: identity_file, zstd: tools['zstd'], age: tools['age'])
      end
      failure = /unpacking .*#{described_class::ARCHIVE} failed .*: wrong key, or a damaged archive/
      expect { quietly { unpack.call(wrong) } }.to raise_error(RuntimeError, failure)

      bytes = File.binread(archive)
      bytes.setbyte(bytes.bytesize - 40, bytes.getbyte(bytes.bytesize - 40) ^ 1)
      File.binwrite(archive, bytes)
      expect { quietly { unpack.call(identity) } }.to raise_error(RuntimeError, failure)
    end
  end
end
