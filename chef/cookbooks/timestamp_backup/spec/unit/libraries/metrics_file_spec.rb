# frozen_string_literal: true

require 'tmpdir'
require_relative '../../spec_helper'

describe TimestampBackup::MetricsFile do
  let(:dir) { Dir.mktmpdir }
  let(:path) { File.join(dir, 'textfile', 'timestamp_backup.prom') }

  after { FileUtils.remove_entry(dir) }

  it 'writes Prometheus text: HELP and TYPE once per name, before all its series, labels escaped' do
    described_class.write(path, [
                            ['ts_backup_size_bytes', 'gauge', 'Stored size', 1234, { 'host' => 'backup-c' }],
                            ['ts_backup_ok', 'gauge', 'Last run ok', 1, {}],
                            ['ts_backup_size_bytes', 'gauge', 'Stored size', 99, { 'note' => "a \"quoted\" C:\\path\nnext" }],
                            ['ts_backup_seconds', 'gauge', 'Duration', 2.5, nil]
                          ])
    expect(File.read(path)).to eq <<~'PROM'
      # HELP ts_backup_size_bytes Stored size
      # TYPE ts_backup_size_bytes gauge
      ts_backup_size_bytes{host="backup-c"} 1234
      ts_backup_size_bytes{note="a \"quoted\" C:\\path\nnext"} 99
      # HELP ts_backup_ok Last run ok
      # TYPE ts_backup_ok gauge
      ts_backup_ok 1
      # HELP ts_backup_seconds Duration
      # TYPE ts_backup_seconds gauge
      ts_backup_seconds 2.500000
    PROM
  end

  it 'joins several labels with commas' do
    described_class.write(path, [['ts_up', 'gauge', 'Up', 1, { 'a' => 'x', 'b' => 2 }]])
    expect(File.read(path).lines.last).to eq "ts_up{a=\"x\",b=\"2\"} 1\n"
  end

  it 'replaces the file by a rename: a reader of the old file never sees it change, and no .tmp is left' do
    described_class.write(path, [['ts_up', 'gauge', 'Up', 1, {}]])
    File.open(path) do |old|
      described_class.write(path, [['ts_up', 'gauge', 'Up', 0, {}]])
      expect(old.read).to end_with("ts_up 1\n")
    end
    expect(File.read(path)).to end_with("ts_up 0\n")
    expect(Dir.children(File.dirname(path))).to eq ['timestamp_backup.prom']
  end

  it 'does nothing without a path' do
    expect { described_class.write(nil, [['ts_up', 'gauge', 'Up', 1, {}]]) }.not_to raise_error
  end
end
