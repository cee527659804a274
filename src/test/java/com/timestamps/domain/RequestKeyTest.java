package com.timestamps.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class RequestKeyTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "order-42", "A.b_c:d-e", "0123456789abcdef0123456789abcdef"})
    void acceptsKeysOfTheAllowedCharacters(String key) {
        assertTrue(RequestKey.isValid(key));
        assertEquals(key, RequestKey.parse(key).orElseThrow().value());
    }

    @Test
    void acceptsUpTo128Characters() {
        assertTrue(RequestKey.isValid("k".repeat(128)));
        assertFalse(RequestKey.isValid("k".repeat(129)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "white space", "slash/", "ümlaut", "semi;colon", "tab\t", "new\nline"})
    void rejectsOtherKeys(String key) {
        assertFalse(RequestKey.isValid(key));
        assertTrue(RequestKey.parse(key).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> new RequestKey(key));
    }

    @Test
    void rejectsNull() {
        assertFalse(RequestKey.isValid(null));
    }

    @Test
    void aGeneratedKeyIsValid() {
        assertTrue(RequestKey.isValid(RequestKey.generated(UUID.randomUUID()).value()));
    }
}
