package com.timestamps.application;

import com.timestamps.domain.TimestampRecord;
import java.util.List;
import java.util.Optional;

/** Records newest first, and where the next page starts if there is one. */
public record Page(List<TimestampRecord> items, Optional<PageCursor> next) {
}
