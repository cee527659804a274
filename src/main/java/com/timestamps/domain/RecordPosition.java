package com.timestamps.domain;

import java.time.LocalDateTime;
import java.util.UUID;

/** A record's place in the newest-first order of records: timestamp desc, then id desc. */
public record RecordPosition(LocalDateTime recordedAt, UUID id) {
}
