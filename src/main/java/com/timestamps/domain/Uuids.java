package com.timestamps.domain;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.UUID;

/** Conversions between {@link UUID}, its {@code BINARY(16)} form and its canonical text. */
public final class Uuids {

    private Uuids() {
    }

    public static byte[] toBytes(UUID id) {
        return ByteBuffer.allocate(16)
                .putLong(id.getMostSignificantBits())
                .putLong(id.getLeastSignificantBits())
                .array();
    }

    public static UUID fromBytes(byte[] bytes) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        return new UUID(buffer.getLong(), buffer.getLong());
    }

    /** Parses only the canonical lower- or upper-case 36-character form. */
    public static Optional<UUID> parseCanonical(String text) {
        if (text == null || text.length() != 36) {
            return Optional.empty();
        }
        try {
            UUID id = UUID.fromString(text);
            // UUID.fromString accepts short groups such as "1-1-1-1-1"; insist on the round trip
            return id.toString().equalsIgnoreCase(text) ? Optional.of(id) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
