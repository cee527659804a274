# frozen_string_literal: true

require 'digest'
require 'fileutils'
require 'json'
require 'open3'

module TimestampBackup
  # The backups of one cluster on a backup host: one directory per backup under
  # STORE/backups/ID, holding the encrypted archive of the data directory
  # (data.tar.zst.age: tar, zstd, then age to the cluster's backup recipient, so the host
  # that keeps it cannot read it) and its manifest (manifest.json, in clear: what the backup
  # holds, never the data). A backup appears under its ID only once it is complete.
  class Store
    ARCHIVE = 'data.tar.zst.age'
    MANIFEST = 'manifest.json'

    def initialize(dir)
      @dir = dir
    end

    attr_reader :dir

    def backups_dir
      File.join(@dir, 'backups')
    end

    # Manifests of the complete backups, oldest first.
    def manifests
      Dir[File.join(backups_dir, '*', MANIFEST)].map { |file| JSON.parse(File.read(file)) }.sort_by { |m| m['id'] }
    end

    def manifest(id)
      JSON.parse(File.read(File.join(backups_dir, id, MANIFEST)))
    end

    def archive_path(id)
      File.join(backups_dir, id, ARCHIVE)
    end

    # A directory for a backup in the making (removed by #publish or #discard).
    def staging(id)
      File.join(@dir, 'staging', id).tap { |dir| FileUtils.mkdir_p(dir) }
    end

    # Moves the staged backup's archive and manifest into place, atomically.
    def publish(id, manifest)
      staged = File.join(@dir, 'staging', id)
      File.write(File.join(staged, MANIFEST), "#{JSON.pretty_generate(manifest)}\n")
      FileUtils.mkdir_p(backups_dir)
      File.rename(staged, File.join(backups_dir, id))
    end

    def discard(id)
      FileUtils.rm_rf(File.join(@dir, 'staging', id))
    end

    # Deletes the oldest backups beyond the newest `keep`; returns their ids.
    def prune(keep:)
      old = manifests[0...-keep] || []
      old.each { |m| FileUtils.rm_rf(File.join(backups_dir, m['id'])) }
      old.map { |m| m['id'] }
    end

    # { relative path => { 'size' =>, 'sha256' => } } of every file under dir.
    def self.file_checksums(dir)
      Dir.glob('**/*', File::FNM_DOTMATCH, base: dir).sort.each_with_object({}) do |path, sums|
        full = File.join(dir, path)
        next unless File.file?(full)

        sums[path] = { 'size' => File.size(full), 'sha256' => Digest::SHA256.file(full).hexdigest }
      end
    end

    # tar | zstd | age -r RECIPIENT > out (the tools operators know; the key stays elsewhere).
    def self.pack(dir, out, recipient:, zstd:, age:, level: 3)
      statuses = Open3.pipeline(['tar', '-C', dir, '-cf', '-', '.'], [zstd, '-q', "-#{level}", '-T0'],
                                [age, '-r', recipient, '-o', out])
      failed = statuses.find { |s| !s.success? }
      raise "packing #{dir} failed (#{failed})" if failed
    end

    # age -d -i IDENTITY < archive | zstd -d | tar -x -C dir
    def self.unpack(archive, dir, identity:, zstd:, age:)
      FileUtils.mkdir_p(dir)
      statuses = Open3.pipeline([age, '-d', '-i', identity, archive], [zstd, '-q', '-d'], ['tar', '-C', dir, '-xf', '-'])
      failed = statuses.find { |s| !s.success? }
      raise "unpacking #{archive} failed (#{failed}): wrong key, or a damaged archive" if failed
    end
  end
end
