package com.timestamps.application;

import com.timestamps.domain.TimestampRecord;

/**
 * The record for a POST; {@code replayed} when its request key had been stored before and
 * the first record stored for it is returned.
 */
public record RecordingResult(TimestampRecord record, boolean replayed) {
}
