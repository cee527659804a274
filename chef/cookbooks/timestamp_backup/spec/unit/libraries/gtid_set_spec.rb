# frozen_string_literal: true

require_relative '../../spec_helper'

describe TimestampBackup::GtidSet do
  let(:a) { '3e11fa47-71ca-11e1-9e33-c80aa9429562' }
  let(:b) { 'f0000000-0000-4000-8000-000000000001' }
  let(:set) { ->(text) { described_class.parse(text) } }

  describe '.parse and #to_s' do
    it 'reads MySQL’s output, newlines after the commas included, and writes it canonically' do
      parsed = set.call("#{b}:3,\n#{a}:1-5:7-9")
      expect(parsed.to_s).to eq "#{a}:1-5:7-9,#{b}:3"
      expect(set.call(parsed.to_s)).to eq parsed
    end

    it 'round-trips canonical text unchanged' do
      ["#{a}:1-5:7-9,#{b}:3", "#{a}:1", "#{a}:2-3:5:9-10", ''].each { |text| expect(set.call(text).to_s).to eq text }
    end

    it 'sorts, merges overlapping and adjacent intervals and drops duplicates' do
      expect(set.call("#{a}:7-9:1-3:4-5:2:8").to_s).to eq "#{a}:1-5:7-9"
      expect(set.call("#{a}:1-3,#{a}:4-5").to_s).to eq "#{a}:1-5"
    end

    it 'lowercases uuids, so that case makes no difference' do
      expect(set.call("#{a.upcase}:1-2,#{a}:3").to_s).to eq "#{a}:1-3"
    end

    it 'takes whitespace around the parts and empty specs between commas' do
      expect(set.call("  #{a} : 1 - 3 : 5 ,, \n #{b}:4\n").to_s).to eq "#{a}:1-3:5,#{b}:4"
    end

    it 'reads an empty or blank string as the empty set' do
      expect(set.call('')).to be_empty
      expect(set.call(" \n")).to be_empty
      expect(described_class.new.to_s).to eq ''
    end

    it 'refuses tagged GTIDs, saying so' do
      expect { set.call("#{a}:tag_1:1-3") }.to raise_error(ArgumentError, /tagged GTIDs \(tag tag_1\) are not supported/)
      expect { set.call("#{a}:1-3:nightly:4") }.to raise_error(ArgumentError, /tagged GTIDs/)
    end

    it 'refuses garbage with a message naming it' do
      expect { set.call('nonsense') }.to raise_error(ArgumentError, /"nonsense" is not a UUID/)
      expect { set.call("#{a}:1-x") }.to raise_error(ArgumentError, /"1-x" is not a number or range/)
      expect { set.call("#{a}:") }.to raise_error(ArgumentError, /no transaction numbers after #{a}/)
      expect { set.call("#{a}::3") }.to raise_error(ArgumentError, /"" is not a number or range/)
      expect { set.call("#{a}:0") }.to raise_error(ArgumentError, /invalid GTID interval 0-0/)
      expect { set.call("#{a}:5-3") }.to raise_error(ArgumentError, /invalid GTID interval 5-3/)
      expect { set.call("#{a}:#{2**63}") }.to raise_error(ArgumentError, /invalid GTID interval/)
      expect { set.call(nil) }.to raise_error(ArgumentError, /a GTID set is a String, not NilClass/)
    end
  end

  describe '.new' do
    it 'takes { uuid => intervals } in any order and checks them' do
      expect(described_class.new(b => [[5, 6]], a.upcase => [[3, 4], [1, 1]]).to_s).to eq "#{a}:1:3-4,#{b}:5-6"
      expect { described_class.new('x' => [[1, 2]]) }.to raise_error(ArgumentError, /"x" is not a UUID/)
      expect { described_class.new(a => [[1, nil]]) }.to raise_error(ArgumentError, /invalid GTID interval 1-nil/)
    end

    it 'is frozen, and so are the intervals it hands out copies of' do
      gtids = set.call("#{a}:1-3")
      expect(gtids).to be_frozen
      gtids.intervals(a) << [9, 9]
      gtids.intervals(a).first[1] = 100
      expect(gtids.to_s).to eq "#{a}:1-3"
    end
  end

  describe 'queries' do
    let(:gtids) { set.call("#{a}:1-5:7-9:20,#{b}:3") }

    it 'counts GTIDs' do
      expect(gtids.count).to eq 10
      expect(described_class.new.count).to eq 0
    end

    it 'lists uuids, intervals, the last number and the gaps' do
      expect(gtids.uuids).to eq [a, b]
      expect(gtids.intervals(a)).to eq [[1, 5], [7, 9], [20, 20]]
      expect(gtids.intervals(a.upcase)).to eq [[1, 5], [7, 9], [20, 20]]
      expect(gtids.intervals('unknown')).to eq []
      expect(gtids.last(a)).to eq 20
      expect(gtids.last(b)).to eq 3
      expect(gtids.last('unknown')).to be_nil
      expect(gtids.gaps(a)).to eq [[6, 6], [10, 19]]
      expect(gtids.gaps(b)).to eq []
      expect(gtids.gaps('unknown')).to eq []
    end

    it 'tells whether it holds a GTID' do
      expect([1, 5, 7, 9, 20].map { |gno| gtids.include?(a, gno) }).to all(be true)
      expect([0, 6, 10, 19, 21].map { |gno| gtids.include?(a, gno) }).to all(be false)
      expect(gtids.include?(a.upcase, 3)).to be true
      expect(gtids.include?(b, 4)).to be false
      expect(gtids.include?('unknown', 1)).to be false
    end

    it 'compares by content, usable as a hash key' do
      expect(gtids).to eq set.call("#{b}:3,#{a}:1-3:4-5:7-9:20")
      expect(gtids).not_to eq set.call("#{a}:1-5:7-9:20")
      expect(gtids).not_to eq gtids.to_s
      expect({ gtids => 1 }[set.call(gtids.to_s)]).to eq 1
      expect(gtids).to eql set.call(gtids.to_s)
      expect(gtids.inspect).to eq "#<TimestampBackup::GtidSet #{gtids}>"
    end
  end

  describe 'set operations' do
    it 'unites, merging adjacent intervals' do
      expect(set.call("#{a}:1-3").union(set.call("#{a}:4-5")).to_s).to eq "#{a}:1-5"
      expect((set.call("#{a}:1-3,#{b}:1") + set.call("#{a}:7")).to_s).to eq "#{a}:1-3:7,#{b}:1"
      expect((set.call('') + set.call("#{a}:2")).to_s).to eq "#{a}:2"
    end

    it 'subtracts, splitting an interval, trimming ends and dropping emptied uuids' do
      expect(set.call("#{a}:1-10").subtract(set.call("#{a}:4-6")).to_s).to eq "#{a}:1-3:7-10"
      expect((set.call("#{a}:1-10") - set.call("#{a}:1-2:5:9-12")).to_s).to eq "#{a}:3-4:6-8"
      expect((set.call("#{a}:1-3:5-8,#{b}:1-2") - set.call("#{a}:2-6,#{b}:1-2")).to_s).to eq "#{a}:1:7-8"
      expect((set.call("#{a}:1-3") - set.call("#{b}:1-3")).to_s).to eq "#{a}:1-3"
      expect(set.call("#{a}:1-3") - set.call("#{a}:1-3:7")).to be_empty
    end

    it 'knows supersets and intersections' do
      big = set.call("#{a}:1-10,#{b}:1")
      expect(big.superset?(set.call("#{a}:2-3:10"))).to be true
      expect(big.superset?(set.call(''))).to be true
      expect(big.superset?(big)).to be true
      expect(big.superset?(set.call("#{a}:10-11"))).to be false
      expect(big.superset?(set.call("#{b}:2"))).to be false
      expect(big.intersect?(set.call("#{a}:10-11"))).to be true
      expect(big.intersect?(set.call("#{a}:11-20,#{b}:2"))).to be false
      expect(big.intersect?(set.call(''))).to be false
    end

    it 'adds one GTID, returning a new set and leaving the old one alone' do
      gtids = set.call("#{a}:1-3")
      expect(gtids.add(a, 4).to_s).to eq "#{a}:1-4"
      expect(gtids.add(a, 6).to_s).to eq "#{a}:1-3:6"
      expect(gtids.add(a, 2).to_s).to eq "#{a}:1-3"
      expect(gtids.add(b.upcase, 1).to_s).to eq "#{a}:1-3,#{b}:1"
      expect(gtids.to_s).to eq "#{a}:1-3"
      expect { gtids.add(a, 0) }.to raise_error(ArgumentError, /invalid GTID interval 0-0/)
    end
  end

  describe TimestampBackup::GtidSet::Builder do
    it 'collects GTIDs in any order, starting empty or from a set' do
      builder = described_class.new
      [5, 1, 2, 3, 9, 4, 3].each { |gno| builder.add(a, gno) }
      builder.add_interval(b, 10, 20)
      expect(builder.to_set.to_s).to eq "#{a}:1-5:9,#{b}:10-20"
      expect(described_class.new(TimestampBackup::GtidSet.parse("#{a}:1-2")).add(a, 3).to_set.to_s).to eq "#{a}:1-3"
    end

    it 'checks what it was given when it makes the set' do
      builder = described_class.new.add('bad', 1)
      expect { builder.to_set }.to raise_error(ArgumentError, /"bad" is not a UUID/)
    end

    it 'appends a hundred thousand consecutive GTIDs in well under a second' do
      builder = described_class.new
      started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
      1.upto(100_000) { |gno| builder.add(a, gno) }
      expect(builder.to_set.to_s).to eq "#{a}:1-100000"
      expect(Process.clock_gettime(Process::CLOCK_MONOTONIC) - started).to be < 1
    end
  end

  it 'reads a set as the mysql client prints it in batch mode (the newline after a comma as \\n)' do
    a = '3e11fa47-71ca-11e1-9e33-c80aa9429562'
    b = '4e11fa47-71ca-11e1-9e33-c80aa9429562'
    expect(described_class.parse("#{a}:1-5,\\n#{b}:7").to_s).to eq "#{a}:1-5,#{b}:7"
  end
end
