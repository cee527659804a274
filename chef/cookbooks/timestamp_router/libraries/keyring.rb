# frozen_string_literal: true

require 'etc'
require 'fileutils'

module TimestampRouter
  # MySQL Router's keyring holding the metadata account's password, encrypted with the
  # master key that the master-key reader prints. The real keyring is the state: it counts
  # as current only if it opens with this master key and holds this password. Chef's
  # timestamp_router_keyring and ./stack (ops router keyring) both go through this class.
  class Keyring
    # keyring_cmd: mysqlrouter_keyring's argv (its path, or a loader command line before
    # it). owner: who the keyring file is given to after it is written (Router reads it as
    # that user); the commands themselves run as the caller.
    def initialize(runner, keyring_cmd:, path:, master_key_reader:, account: 'router_meta', owner: nil)
      @runner = runner
      @command = Array(keyring_cmd)
      @path = path
      @master_key_reader = master_key_reader
      @account = account
      @owner = owner
    end

    # The password the keyring holds; nil if there is no keyring, it does not open with the
    # master key, lacks the account, or mysqlrouter_keyring is not installed (yet).
    def password
      lookup.first
    end

    def current?(password)
      plan(password).nil?
    end

    # What store! would change, as a sentence for Chef's converge_by ("would ..." in why-run);
    # nil when the keyring is as wanted.
    def plan(password)
      stored, why = lookup
      why ||= 'it holds another password' unless stored == password
      why ||= "it belongs to #{owner_of_file}, not #{@owner}" unless owned?
      why && "store #{@account}'s password in #{@path} (#{why})"
    end

    # A new keyring with this password (init refuses an existing file, so the old one goes).
    def store!(password)
      FileUtils.rm_f(@path)
      keyring!('init', @path)
      keyring!('set', @path, @account, 'password', input: "#{password}\n")
      FileUtils.chown(@owner, nil, @path) if @owner
    end

    private

    # [password, nil], or [nil, why it cannot be read].
    def lookup
      return [nil, 'no keyring yet'] unless ::File.exist?(@path)

      result = keyring('get', @path, @account, 'password')
      return [nil, "#{@command.last} is not installed"] if result.missing?
      return [nil, "it does not open with the master key or lacks #{@account}"] unless result.ok?

      [result.stdout.chomp, nil]
    end

    def owned?
      return true unless @owner

      ::File.stat(@path).uid == Etc.getpwnam(@owner).uid
    rescue ArgumentError, SystemCallError # no such user (yet), or no file
      false
    end

    def owner_of_file
      Etc.getpwuid(::File.stat(@path).uid).name
    rescue ArgumentError, SystemCallError
      'another user'
    end

    def keyring(*args, input: nil)
      @runner.run(*@command, *args, '--master-key-reader', @master_key_reader, input:)
    end

    def keyring!(*args, input: nil)
      result = keyring(*args, input:)
      return result if result.ok?

      detail = result.missing? ? 'not installed' : result.stderr.strip
      raise "#{@command.last} #{args.first} #{@path} failed: #{detail}"
    end
  end
end
