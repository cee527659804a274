package com.timestamps.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class UtcMicrosTest {

    @Test
    void alwaysWritesSixFractionDigitsAndZ() {
        assertEquals("2026-11-22T20:15:06.000000Z", UtcMicros.format(LocalDateTime.of(2026, 11, 22, 20, 15, 6)));
        assertEquals("2026-11-22T20:15:06.172057Z",
                UtcMicros.format(LocalDateTime.of(2026, 11, 22, 20, 15, 6, 172_057_000)));
        assertEquals("2026-01-02T03:04:05.000001Z", UtcMicros.format(LocalDateTime.of(2026, 1, 2, 3, 4, 5, 1_000)));
    }

    @Test
    void nowIsUtcAndTruncatedToMicroseconds() {
        Instant instant = Instant.parse("2026-11-22T20:15:06.172057999Z");
        // the clock's zone must not matter
        LocalDateTime now = UtcMicros.now(Clock.fixed(instant, ZoneId.of("Asia/Tokyo")));
        assertEquals(LocalDateTime.of(2026, 11, 22, 20, 15, 6, 172_057_000), now);
        assertEquals("2026-11-22T20:15:06.172057Z", UtcMicros.format(now));
    }

    @Test
    void parsesWhatItFormats() {
        LocalDateTime value = LocalDateTime.of(2026, 11, 22, 20, 15, 6, 172_057_000);
        assertEquals(value, UtcMicros.parse(UtcMicros.format(value)).orElseThrow());
        assertTrue(UtcMicros.parse("2026-11-22T20:15:06Z").isEmpty());
        assertTrue(UtcMicros.parse("2026-11-22T20:15:06.172057").isEmpty());
    }
}
