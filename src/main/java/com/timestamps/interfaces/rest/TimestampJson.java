package com.timestamps.interfaces.rest;

import com.timestamps.domain.TimestampRecord;
import com.timestamps.domain.UtcMicros;
import jakarta.json.bind.annotation.JsonbPropertyOrder;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

@Schema(name = "Timestamp", description = "One recorded timestamp")
@JsonbPropertyOrder({"id", "timestamp", "instance"})
public record TimestampJson(
        @Schema(description = "UUID version 7", example = "019aad1c-4c2e-7a3b-9f10-2b8e5c7d1a42") String id,
        @Schema(description = "UTC, exactly six fraction digits", example = "2026-11-22T20:15:06.172057Z") String timestamp,
        @Schema(description = "Instance that took the timestamp", example = "app-a") String instance) {

    static TimestampJson of(TimestampRecord record) {
        return new TimestampJson(record.id().toString(), UtcMicros.format(record.recordedAt()), record.instance());
    }
}
