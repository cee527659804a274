# frozen_string_literal: true

require 'etc'
require 'tmpdir'
require_relative '../../../../timestamp_common/libraries/command_runner'
require_relative '../../../libraries/keyring'

# Answers each mysqlrouter_keyring subcommand (init, set, get) as told; records every call.
class KeyringSpecRunner
  attr_reader :calls

  def initialize(answers = {})
    @answers = answers
    @calls = []
  end

  def run(*argv, input: nil, timeout: 30)
    @calls << { argv:, input:, timeout: }
    @answers.fetch(argv[1]) { TimestampCommon::CommandResult.new(0, '', '') }
  end
end

describe TimestampRouter::Keyring do
  def result(status, stdout = '', stderr = '')
    TimestampCommon::CommandResult.new(status, stdout, stderr)
  end

  around do |example|
    Dir.mktmpdir('keyring-spec') do |dir|
      @dir = dir
      example.run
    end
  end

  let(:path) { File.join(@dir, 'keyring') }
  let(:owner) { nil }
  let(:runner) { KeyringSpecRunner.new('get' => result(0, "s3cret\n")) }
  let(:keyring) do
    described_class.new(runner, keyring_cmd: '/usr/bin/mysqlrouter_keyring', path:,
                                master_key_reader: '/usr/local/lib/mysqlrouter/master-key-reader', owner:)
  end

  context 'when the keyring opens and holds the password' do
    before { File.write(path, 'encrypted') }

    it 'reads the password with the master-key reader' do
      expect(keyring.password).to eq('s3cret')
      expect(runner.calls.first[:argv]).to eq(
        %W[/usr/bin/mysqlrouter_keyring get #{path} router_meta password
           --master-key-reader /usr/local/lib/mysqlrouter/master-key-reader]
      )
    end

    it 'is current, with nothing to change' do
      expect(keyring.current?('s3cret')).to be(true)
      expect(keyring.plan('s3cret')).to be_nil
    end

    it 'is not current for another password' do
      expect(keyring.current?('new-secret')).to be(false)
      expect(keyring.plan('new-secret')).to eq("store router_meta's password in #{path} (it holds another password)")
    end
  end

  context 'when there is no keyring' do
    it 'has no password and asks nothing of mysqlrouter_keyring' do
      expect(keyring.password).to be_nil
      expect(keyring.plan('s3cret')).to eq("store router_meta's password in #{path} (no keyring yet)")
      expect(runner.calls).to be_empty
    end
  end

  context 'when the keyring does not open with the master key' do
    let(:runner) { KeyringSpecRunner.new('get' => result(1, '', "[Error] loading failed?Keyring decryption failed.\n")) }

    before { File.write(path, 'encrypted with another key') }

    it 'is not current, whatever the password' do
      expect(keyring.password).to be_nil
      expect(keyring.current?('s3cret')).to be(false)
      expect(keyring.plan('s3cret')).to include('it does not open with the master key or lacks router_meta')
    end
  end

  context 'when mysqlrouter_keyring is not installed (why-run before the package)' do
    before { File.write(path, 'encrypted') }

    it 'reports what it would store instead of raising' do
      missing = described_class.new(TimestampCommon::CommandRunner.new,
                                    keyring_cmd: "#{@dir}/no/mysqlrouter_keyring", path:, master_key_reader: "#{@dir}/reader")
      expect(missing.password).to be_nil
      expect(missing.plan('s3cret')).to eq(
        "store router_meta's password in #{path} (#{@dir}/no/mysqlrouter_keyring is not installed)"
      )
    end

    it 'fails to store with a message that says so' do
      missing = described_class.new(KeyringSpecRunner.new('init' => result(127, '', 'No such file')),
                                    keyring_cmd: '/usr/bin/mysqlrouter_keyring', path:, master_key_reader: 'reader')
      expect { missing.store!('s3cret') }.to raise_error(/mysqlrouter_keyring init #{path} failed: not installed/)
    end
  end

  describe '#store!' do
    before { File.write(path, 'the old keyring') }

    it 'replaces the keyring: init, then set with the password on stdin only' do
      keyring.store!('s3cret')
      expect(File.exist?(path)).to be(false) # the fake writes nothing: the old file is gone
      expect(runner.calls.map { |c| c[:argv][1] }).to eq(%w(init set))
      init, set = runner.calls
      expect(init[:argv]).to eq(%W[/usr/bin/mysqlrouter_keyring init #{path}
                                   --master-key-reader /usr/local/lib/mysqlrouter/master-key-reader])
      expect(set[:argv]).to eq(%W[/usr/bin/mysqlrouter_keyring set #{path} router_meta password
                                  --master-key-reader /usr/local/lib/mysqlrouter/master-key-reader])
      expect(set[:input]).to eq("s3cret\n")
      expect(runner.calls.flat_map { |c| c[:argv] }).not_to include('s3cret')
    end

    it 'raises with mysqlrouter_keyring\'s message when set fails' do
      failing = KeyringSpecRunner.new('set' => result(1, '', "[Error] cannot write\n"))
      keyring = described_class.new(failing, keyring_cmd: 'mysqlrouter_keyring', path:, master_key_reader: 'reader')
      expect { keyring.store!('s3cret') }.to raise_error("mysqlrouter_keyring set #{path} failed: [Error] cannot write")
    end

    context 'with an owner' do
      let(:owner) { 'mysqlrouter' }

      it 'gives the new keyring to the owner' do
        expect(FileUtils).to receive(:chown).with('mysqlrouter', nil, path)
        keyring.store!('s3cret')
      end
    end
  end

  describe 'ownership' do
    before { File.write(path, 'encrypted') }

    context 'when the keyring belongs to the owner' do
      let(:owner) { Etc.getpwuid(File.stat(path).uid).name }

      it('is current') { expect(keyring.current?('s3cret')).to be(true) }
    end

    context 'when it belongs to someone else (a run that stopped before its chown)' do
      let(:owner) { 'no-such-router-user' }

      it 'is not current' do
        expect(keyring.current?('s3cret')).to be(false)
        expect(keyring.plan('s3cret')).to match(/\(it belongs to \S+, not no-such-router-user\)\z/)
      end
    end
  end

  # The real mysqlrouter_keyring from the local cluster's MySQL prefix, run the way ./stack
  # runs it (mysql_command: the prefix's own loader and libraries).
  describe 'with the real mysqlrouter_keyring' do
    prefix_sh = File.expand_path('../../../../../../stack.d/mysql-prefix.sh', __dir__)
    command = `bash -c '. "$1" && mysql_prefix_ready && mysql_command usr/bin/mysqlrouter_keyring' _ #{prefix_sh} 2>/dev/null`

    before do
      skip "no MySQL prefix (mysql_prefix_ready of #{prefix_sh}; ./stack up fetches it)" if command.empty?
      File.write(File.join(@dir, 'master.key'), "first-master-key\n")
      File.write(reader, "#!/bin/sh\nexec cat '#{@dir}/master.key'\n")
      File.chmod(0o700, reader)
    end

    let(:reader) { File.join(@dir, 'master-key-reader') }
    let(:keyring) do
      described_class.new(TimestampCommon::CommandRunner.new, keyring_cmd: command.split, path:, master_key_reader: reader)
    end

    it 'stores, reads back and notices another master key or password' do
      expect(keyring.plan('s3cret')).to include('(no keyring yet)')
      keyring.store!('s3cret')
      expect(keyring.password).to eq('s3cret')
      expect(keyring.current?('s3cret')).to be(true)
      expect(keyring.current?('other')).to be(false)

      keyring.store!('other') # over an existing keyring: init alone would refuse
      expect(keyring.password).to eq('other')

      File.write(File.join(@dir, 'master.key'), "second-master-key\n")
      expect(keyring.password).to be_nil
      expect(keyring.plan('other')).to include('does not open with the master key')
      keyring.store!('other')
      expect(keyring.current?('other')).to be(true)
    end
  end
end
