package com.timestamps.domain;

import java.util.function.IntSupplier;

/**
 * The metrics the writing of records emits: the port the application reports through,
 * implemented by the metrics infrastructure.
 */
public interface WriteMetrics {

    /** Publishes the number of requests waiting for a place in a write transaction. */
    void registerWriteQueue(IntSupplier queued);

    /** One write transaction was run for this many requests. */
    void batchWritten(int requests);
}
