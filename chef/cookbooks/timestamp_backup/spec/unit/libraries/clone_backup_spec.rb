# frozen_string_literal: true

require 'tmpdir'
require_relative '../../spec_helper'
require_relative '../fake_group'

describe TimestampBackup::CloneBackup do
  let(:group) { FakeGroup.new(%w(db-a db-b db-c)) } # db-a is the primary
  let(:dir) { Dir.mktmpdir }
  let(:settings) do
    { 'store_dir' => File.join(dir, 'store'), 'work_dir' => File.join(dir, 'work'), 'members' => group.members,
      'port' => 3306, 'account' => { 'user' => 'ts_backup', 'password' => 'secret' } }
  end
  let(:backup) { described_class.new(sql: group, runner: nil, settings:) }

  after { FileUtils.remove_entry(dir) }

  def donor
    backup.send(:choose_donor).name
  end

  describe 'the donor' do
    it 'is an ONLINE secondary of the majority’s view' do
      expect(donor).to eq 'db-b'
      group['db-b'].state = 'RECOVERING'
      expect(donor).to eq 'db-c'
    end

    it 'is never the primary: with only the primary ONLINE, the backup refuses' do
      group.leave('db-b', 'db-c')
      expect { donor }.to raise_error(RuntimeError, 'no ONLINE secondary to clone from (a backup never loads the primary)')
    end

    it 'is not picked without a group with quorum' do
      %w(db-a db-b).each do |name| # db-c, cut off, sees the others UNREACHABLE
        group[name].up = false
        group[name].state = 'UNREACHABLE'
      end
      expect { donor }.to raise_error(RuntimeError, /no group with quorum/)
    end
  end
end
