package com.timestamps.domain;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.LocalDateTime;
import java.util.UUID;

/** One recorded timestamp. Immutable once stored. */
@Entity
@Table(name = "timestamp_record")
public class TimestampRecord {

    @Id
    @Column(name = "id", columnDefinition = "BINARY(16)", nullable = false, updatable = false)
    private byte[] id;

    // DATETIME(6): without the explicit definition EclipseLink would truncate to whole seconds
    @Column(name = "recorded_at", columnDefinition = "DATETIME(6)", nullable = false, updatable = false)
    private LocalDateTime recordedAt;

    @Column(name = "request_key", length = RequestKey.MAX_LENGTH, nullable = false, updatable = false)
    private String requestKey;

    @Column(name = "instance", nullable = false, updatable = false)
    private String instance;

    protected TimestampRecord() {
        // for JPA
    }

    public TimestampRecord(UUID id, LocalDateTime recordedAt, RequestKey requestKey, String instance) {
        this.id = Uuids.toBytes(id);
        this.recordedAt = recordedAt;
        this.requestKey = requestKey.value();
        this.instance = instance;
    }

    public UUID id() {
        return Uuids.fromBytes(id);
    }

    public LocalDateTime recordedAt() {
        return recordedAt;
    }

    public RequestKey requestKey() {
        return new RequestKey(requestKey);
    }

    public String instance() {
        return instance;
    }
}
