package com.timestamps.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class UuidV7GeneratorTest {

    @Test
    void setsVersion7AndTheRfcVariant() {
        UUID id = new UuidV7Generator(Clock.systemUTC()).next();
        assertEquals(7, id.version());
        assertEquals(2, id.variant());
    }

    @Test
    void carriesTheClockMillisecondsInTheFirst48Bits() {
        Instant now = Instant.parse("2026-11-22T20:15:06.172Z");
        UUID id = new UuidV7Generator(Clock.fixed(now, ZoneOffset.UTC)).next();
        assertEquals(now.toEpochMilli(), id.getMostSignificantBits() >>> 16);
    }

    @Test
    void idsAreStrictlyIncreasingInTheirTextAndByteOrder() {
        UuidV7Generator generator = new UuidV7Generator(Clock.systemUTC());
        String previous = generator.next().toString();
        for (int i = 0; i < 100_000; i++) {
            String next = generator.next().toString();
            // canonical text is lower-case hex: its order is the order of the BINARY(16) value
            assertTrue(next.compareTo(previous) > 0, previous + " then " + next);
            previous = next;
        }
    }

    @Test
    void staysOrderedWithinOneMillisecondAndWhenTheClockStepsBack() {
        MutableClock clock = new MutableClock(1_000_000);
        UuidV7Generator generator = new UuidV7Generator(clock);
        Set<UUID> seen = new HashSet<>();
        String previous = "";
        for (int i = 0; i < 10_000; i++) {
            if (i == 5_000) {
                clock.millis = 999_000; // clock stepped back by one second
            }
            UUID id = generator.next();
            assertTrue(id.toString().compareTo(previous) > 0);
            assertTrue(seen.add(id));
            assertEquals(7, id.version());
            previous = id.toString();
        }
    }

    private static final class MutableClock extends Clock {
        long millis;

        MutableClock(long millis) {
            this.millis = millis;
        }

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }
}
