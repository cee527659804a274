# frozen_string_literal: true

# The backup host (recipe timestamp_backup): the binlog archiver streams from a member, its
# settings are private, the backup schedule is installed, at least one complete backup is
# stored (encrypted: no plaintext InnoDB file in the store) and the metrics are published.
require 'json'
require_relative '../settings'

config_dir = ts_setting('TS_BACKUP_CONFIG_DIR', '/etc/timestamp-backup')
store = ts_setting('TS_BACKUP_STORE', '/var/lib/timestamp-backup/store')
work = ts_setting('TS_BACKUP_WORK', '/var/lib/timestamp-backup/work')
metrics = ts_setting('TS_BACKUP_METRICS', '/var/lib/prometheus/node-exporter')
units = ts_setting('TS_BACKUP_UNIT_DIR', '/etc/systemd/system')

describe command(ts_running("timestamp_program.rb #{config_dir}/archiver.json")) do
  its('exit_status') { should eq 0 }
end

describe command(ts_running('mysqlbinlog .*--read-from-remote-source=BINLOG-DUMP-GTIDS --raw --stop-never')) do
  its('exit_status') { should eq 0 }
end

%w(archiver.json backup.json).each do |name|
  describe file(File.join(config_dir, name)) do
    it { should be_file }
    it { should be_mode 600 }
    its('content') { should match(/"recipient": "age1[0-9a-z]+"/) }
  end
end

describe file(File.join(units, 'timestamp-backup.timer')) do
  its('content') { should match(/^OnCalendar=\S+/) }
end

describe command("ls #{store}/backups/*/manifest.json") do
  its('exit_status') { should eq 0 }
end

# Only encrypted archives and manifests: the data never lies in the store in clear.
describe command("find #{store}/backups -type f ! -name manifest.json ! -name data.tar.zst.age") do
  its('stdout') { should eq '' }
end

describe command("head -c 64 $(ls -d #{store}/backups/*/ | tail -1)data.tar.zst.age") do
  its('stdout') { should match(%r{\Aage-encryption\.org/v1}) }
end

describe file(File.join(work, 'archiver-state.json')) do
  its('content') { should match(/"source":"[^"]+"/) }
end

describe file(File.join(metrics, 'timestamp_archiver.prom')) do
  its('content') { should match(/^timestamp_archive_lag_seconds \d/) }
  its('content') { should match(/^timestamp_archive_streaming 1$/) }
end

describe file(File.join(metrics, 'timestamp_backup.prom')) do
  its('content') { should match(/^timestamp_backup_last_success_timestamp_seconds \d/) }
  its('content') { should match(/^timestamp_backup_last_copy_ok 1$/) }
end
