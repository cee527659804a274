package com.timestamps.domain;

import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The key that makes a POST idempotent: stored with a unique constraint, so a repeated key
 * returns the record first stored for it instead of creating a second one.
 */
public record RequestKey(String value) {

    public static final int MAX_LENGTH = 128;
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._:-]{1," + MAX_LENGTH + "}");

    public RequestKey {
        if (!isValid(value)) {
            throw new IllegalArgumentException("invalid request key");
        }
    }

    public static boolean isValid(String value) {
        return value != null && VALID.matcher(value).matches();
    }

    public static Optional<RequestKey> parse(String value) {
        return isValid(value) ? Optional.of(new RequestKey(value)) : Optional.empty();
    }

    /** A key for a request that brought none: unique, so it never matches another request. */
    public static RequestKey generated(UUID recordId) {
        return new RequestKey(recordId.toString());
    }
}
