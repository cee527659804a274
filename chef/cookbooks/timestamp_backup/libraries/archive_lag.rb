# frozen_string_literal: true

module TimestampBackup
  # How far the archive trails the primary: the primary's executed set is noted at the start
  # of each look (before the archive is read, so a transaction is never counted as archived
  # before it was); the lag is how long the oldest noted set not yet archived has waited.
  # Resolution: the look itself. A set archived within this look counts for the time since it
  # was noted (an upper bound), one still waiting for the time since the oldest.
  class ArchiveLag
    def initialize(clock: -> { Time.now })
      @clock = clock
      @pending = [] # [[noted at, the primary's executed set]] not yet archived
    end

    def note(executed)
      @pending << [@clock.call, executed] unless @pending.last && @pending.last[1] == executed
    end

    # Seconds, given what the archive holds now.
    def seconds(archived)
      done, @pending = @pending.partition { |_, set| archived.superset?(set) }
      now = @clock.call
      if @pending.any? then now - @pending.first[0]
      elsif done.any? then now - done.last[0]
      else
        0.0
      end
    end
  end
end
