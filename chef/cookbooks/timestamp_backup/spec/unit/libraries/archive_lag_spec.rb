# frozen_string_literal: true

require_relative '../../spec_helper'

describe TimestampBackup::ArchiveLag do
  let(:now) { [100.0] }
  let(:lag) { described_class.new(clock: -> { Time.at(now[0]) }) }
  let(:group) { 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee' }

  def set(numbers) = TimestampBackup::GtidSet.parse("#{group}:#{numbers}")

  it 'is the age of the oldest noted set the archive does not hold yet' do
    lag.note(set('1-5'))
    now[0] = 101.0
    lag.note(set('1-9'))
    now[0] = 103.5
    expect(lag.seconds(set('1-4'))).to eq 3.5
    expect(lag.seconds(set('1-5'))).to eq 2.5
  end

  it 'is the time since the newest set when the archive caught up within the look (an upper bound, not 0)' do
    lag.note(set('1-5'))
    now[0] = 100.25
    expect(lag.seconds(set('1-5'))).to eq 0.25
  end

  it 'is 0 when nothing was noted since the last look' do
    expect(lag.seconds(set('1-5'))).to eq 0.0
  end

  it 'notes an unchanged set once: an idle primary does not pile up sets' do
    lag.note(set('1-5'))
    now[0] = 105.0
    lag.note(set('1-5'))
    now[0] = 106.0
    expect(lag.seconds(set('1-4'))).to eq 6.0
  end
end
