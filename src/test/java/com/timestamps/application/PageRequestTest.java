package com.timestamps.application;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDateTime;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PageRequestTest {

    @Test
    void usesTheDefaultLimitWhenAbsent() {
        PageRequest request = PageRequest.parse(null, null, 20, 100);
        assertEquals(20, request.limit());
        assertTrue(request.after().isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "50", "100", "007"})
    void acceptsLimitsInRange(String limit) {
        assertEquals(Integer.parseInt(limit), PageRequest.parse(limit, null, 20, 100).limit());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "101", "-1", "+5", "", "ten", "1.5", "99999999999999999999", " 5"})
    void rejectsOtherLimits(String limit) {
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> PageRequest.parse(limit, null, 20, 100));
        assertEquals("invalid_limit", e.code());
    }

    @Test
    void honoursAConfiguredMaximum() {
        assertEquals(500, PageRequest.parse("500", null, 20, 500).limit());
        assertThrows(InvalidRequestException.class, () -> PageRequest.parse("11", null, 20, 10));
    }

    @Test
    void carriesTheDecodedCursor() {
        PageCursor cursor = new PageCursor(LocalDateTime.of(2026, 11, 22, 20, 15, 6), UUID.randomUUID());
        assertEquals(cursor, PageRequest.parse("5", cursor.encode(), 20, 100).after().orElseThrow());
        assertThrows(InvalidRequestException.class, () -> PageRequest.parse("5", "garbage!", 20, 100));
    }
}
