package com.timestamps.interfaces.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.timestamps.application.InvalidRequestException;
import org.junit.jupiter.api.Test;

class RequestKeyHeadersTest {

    @Test
    void theIdempotencyKeyWins() {
        assertEquals("client-1", RequestKeyHeaders.requestKey("client-1", "edge-1").orElseThrow().value());
    }

    @Test
    void anInvalidIdempotencyKeyIsTheClientsError() {
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> RequestKeyHeaders.requestKey("not valid", "edge-1"));
        assertEquals("invalid_idempotency_key", e.code());
        assertThrows(InvalidRequestException.class, () -> RequestKeyHeaders.requestKey("", null));
    }

    @Test
    void otherwiseTheEdgesRequestIdIsTheKey() {
        assertEquals("0123456789abcdef", RequestKeyHeaders.requestKey(null, "0123456789abcdef").orElseThrow().value());
    }

    @Test
    void anInvalidRequestIdIsIgnored() {
        assertTrue(RequestKeyHeaders.requestKey(null, "not valid").isEmpty());
        assertTrue(RequestKeyHeaders.requestKey(null, null).isEmpty());
    }
}
