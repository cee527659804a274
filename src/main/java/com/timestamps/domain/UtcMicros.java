package com.timestamps.domain;

import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * UTC wall-clock time with microsecond precision: what a {@code DATETIME(6)} column holds.
 * Values are {@link LocalDateTime} in UTC so that no time zone conversion can happen between
 * the application and the database.
 */
public final class UtcMicros {

    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'");

    private UtcMicros() {
    }

    public static LocalDateTime now(Clock clock) {
        return LocalDateTime.ofInstant(clock.instant(), ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
    }

    /** ISO 8601 with exactly six fraction digits and {@code Z}. */
    public static String format(LocalDateTime utc) {
        return FORMAT.format(utc);
    }

    public static Optional<LocalDateTime> parse(String text) {
        try {
            return Optional.of(LocalDateTime.parse(text, FORMAT));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
