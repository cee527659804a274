package com.timestamps.domain;

/**
 * The {@link TimestampRecordStore} cannot be reached or cannot take writes now (an outage, a
 * primary failover, a schema not migrated yet); trying again later may work.
 */
public class StoreUnavailableException extends RuntimeException {

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
