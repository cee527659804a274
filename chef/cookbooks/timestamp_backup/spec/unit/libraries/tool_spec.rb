# frozen_string_literal: true

require_relative '../../spec_helper'

describe TimestampBackup::Tool do
  describe '.target' do
    it 'reads a UTC moment to the microsecond, with a space or a T' do
      t = described_class.target('--to', '2026-12-01 17:05:09.614746')
      expect([t.kind, t.time.utc.strftime('%F %T.%6N')]).to eq [:time, '2026-12-01 17:05:09.614746']
      expect(described_class.target('--to', '2026-12-01T17:05:09').time).to eq Time.utc(2026, 12, 1, 17, 5, 9)
    end

    it 'reads a GTID, lower-cased' do
      t = described_class.target('--before-gtid', 'A1E3C5D7-2B4F-4A6C-8E0D-9F1B3D5E7A90:5610')
      expect([t.kind, t.gtid]).to eq [:gtid, 'a1e3c5d7-2b4f-4a6c-8e0d-9f1b3d5e7a90:5610']
    end

    it 'takes --latest alone' do
      expect(described_class.target('--latest', nil).kind).to eq :latest
    end

    it 'refuses anything else with a message that says what it wants' do
      expect { described_class.target('--to', 'yesterday') }.to raise_error(ArgumentError, /YYYY-MM-DD HH:MM:SS/)
      expect { described_class.target('--to', '2026-12-01 17:05') }.to raise_error(ArgumentError, /YYYY-MM-DD/)
      expect { described_class.target('--before-gtid', 'a1e3c5d7:5') }.to raise_error(ArgumentError, /UUID:N/)
      expect { described_class.target('--before', 'x') }.to raise_error(ArgumentError, /--latest/)
    end
  end

  describe '.age' do
    it 'says seconds, minutes or hours' do
      expect([described_class.age(5), described_class.age(600), described_class.age(5 * 3600)]).to eq ['5 s', '10 min', '5.0 h']
    end
  end
end
