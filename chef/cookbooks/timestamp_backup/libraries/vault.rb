# frozen_string_literal: true

require 'fileutils'

module TimestampBackup
  # The second copy of the backups and of the binlog archive, on a host of another zone
  # (an rsync daemon, recipe timestamp_backup::vault): the store is mirrored (a pruned backup
  # goes there too; a backup in the making does not), the archive only grows there. rsync
  # sends what changed: the archive's appended bytes, a new backup's files.
  class Vault
    # settings: { 'url' => 'rsync://USER@HOST:PORT/MODULE', 'password' =>, 'rsync' =>, 'timeout_s' => }
    def initialize(runner, settings, work_dir:)
      @runner = runner
      @s = settings
      @work_dir = work_dir
    end

    def push(store_dir: nil, archive_dir: nil)
      sync(store_dir, 'store', delete: true) if store_dir
      sync(archive_dir, 'archive', delete: false) if archive_dir
    end

    # The ids of the backups the vault holds (complete ones: their manifest is there).
    def backup_ids
      result = rsync('--list-only', '--recursive', "#{@s.fetch('url')}/store/backups/")
      result.stdout.lines.filter_map { |line| line[%r{ (\d{8}T\d{6}Z)/manifest\.json$}, 1] }.sort
    end

    private

    def sync(from, to, delete:)
      return unless File.directory?(from)

      rsync('--archive', '--partial', '--delay-updates', '--exclude=/staging/', *(delete ? ['--delete-delay'] : []),
            "#{from}/", "#{@s.fetch('url')}/#{to}/")
    end

    def rsync(*args)
      FileUtils.mkdir_p(@work_dir)
      password_file = File.join(@work_dir, 'vault.password')
      File.write(password_file, "#{@s.fetch('password')}\n", perm: 0o600)
      result = @runner.run(@s.fetch('rsync'), "--password-file=#{password_file}", "--timeout=#{@s.fetch('timeout_s')}",
                           *args, timeout: Integer(@s.fetch('timeout_s')) + 30)
      raise "rsync to the vault failed: #{result.stderr.strip}" unless result.ok?

      result
    end
  end
end
