# frozen_string_literal: true

# The vault (recipe timestamp_backup::vault): an rsync daemon on its own address that keeps
# the second copy; its secrets are private and it holds the backups and the archive.
require_relative '../settings'

config_dir = ts_setting('TS_BACKUP_CONFIG_DIR', '/etc/timestamp-backup')
data = ts_setting('TS_VAULT_DIR', '/var/lib/timestamp-vault')

describe command(ts_running("rsync --daemon --no-detach --config=#{config_dir}/rsyncd.conf")) do
  its('exit_status') { should eq 0 }
end

describe port(ts_setting('TS_VAULT_PORT', '873').to_i) do
  it { should be_listening }
end

describe file(File.join(config_dir, 'rsyncd.secrets')) do
  it { should be_mode 600 }
end

describe file(File.join(config_dir, 'rsyncd.conf')) do
  its('content') { should match(/^\s*hosts deny = \*$/) }
  its('content') { should match(/^\s*auth users = \S+$/) }
end

describe command("ls #{data}/store/backups/*/data.tar.zst.age") do
  its('exit_status') { should eq 0 }
end

describe command("ls -d #{data}/archive/tl-*") do
  its('exit_status') { should eq 0 }
end
