package com.timestamps.application;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PageCursorTest {

    @Test
    void decodesWhatItEncodes() {
        PageCursor cursor = new PageCursor(LocalDateTime.of(2026, 11, 22, 20, 15, 6, 172_057_000), UUID.randomUUID());
        assertEquals(cursor, PageCursor.decode(cursor.encode()));
    }

    @Test
    void isUrlSafe() {
        String encoded = new PageCursor(LocalDateTime.of(2026, 1, 1, 0, 0), UUID.randomUUID()).encode();
        assertTrue(encoded.matches("[A-Za-z0-9_-]+"), encoded);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "***", "bm90IGEgY3Vyc29y", "MjAyNi0xMS0yMlQyMDoxNTowNi4xNzIwNTda"})
    void rejectsWhatItDidNotIssue(String encoded) {
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> PageCursor.decode(encoded));
        assertEquals("invalid_cursor", e.code());
    }

    @Test
    void rejectsANonCanonicalId() {
        String plain = "2026-11-22T20:15:06.172057Z/1-1-1-1-1";
        String encoded = Base64.getUrlEncoder().encodeToString(plain.getBytes(StandardCharsets.US_ASCII));
        assertThrows(InvalidRequestException.class, () -> PageCursor.decode(encoded));
    }
}
