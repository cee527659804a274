package com.timestamps.application;

import com.timestamps.domain.RecordPosition;
import com.timestamps.domain.TimestampRecord;
import com.timestamps.domain.UtcMicros;
import com.timestamps.domain.Uuids;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;

/**
 * Position after the last record of a page, in the list order (timestamp desc, id desc).
 * Clients see it as an opaque base64url string.
 */
public record PageCursor(LocalDateTime recordedAt, UUID id) {

    private static final char SEPARATOR = '/';

    public static PageCursor after(TimestampRecord last) {
        return new PageCursor(last.recordedAt(), last.id());
    }

    /** The same place, as the record store takes it. */
    public RecordPosition position() {
        return new RecordPosition(recordedAt, id);
    }

    public String encode() {
        String plain = UtcMicros.format(recordedAt) + SEPARATOR + id;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.US_ASCII));
    }

    public static PageCursor decode(String encoded) {
        return tryDecode(encoded).orElseThrow(
                () -> new InvalidRequestException("invalid_cursor", "cursor is not one this service issued"));
    }

    private static Optional<PageCursor> tryDecode(String encoded) {
        String plain;
        try {
            plain = new String(Base64.getUrlDecoder().decode(encoded), StandardCharsets.US_ASCII);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int split = plain.indexOf(SEPARATOR);
        if (split < 0) {
            return Optional.empty();
        }
        Optional<LocalDateTime> recordedAt = UtcMicros.parse(plain.substring(0, split));
        Optional<UUID> id = Uuids.parseCanonical(plain.substring(split + 1));
        if (recordedAt.isEmpty() || id.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new PageCursor(recordedAt.get(), id.get()));
    }
}
