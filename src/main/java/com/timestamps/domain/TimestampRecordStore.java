package com.timestamps.domain;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Where {@link TimestampRecord}s are kept: the port the application writes and reads through,
 * implemented by the persistence infrastructure. Every method throws
 * {@link StoreUnavailableException} when the store cannot be reached or cannot take writes now.
 */
public interface TimestampRecordStore {

    Optional<TimestampRecord> findById(UUID id);

    /** Newest first (timestamp desc, id desc), starting after the position if there is one. */
    List<TimestampRecord> newestFirst(Optional<RecordPosition> after, int limit);

    /**
     * In one transaction, inserts the records whose request key is not stored yet. The keys
     * must be distinct.
     *
     * @return for each record's request key, the record stored for it: the one found, or the
     *     record given here if it was inserted
     */
    Map<RequestKey, TimestampRecord> storeNewKeys(Collection<TimestampRecord> records);
}
