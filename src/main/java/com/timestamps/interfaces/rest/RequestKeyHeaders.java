package com.timestamps.interfaces.rest;

import com.timestamps.application.InvalidRequestException;
import com.timestamps.domain.RequestKey;
import java.util.Optional;

/** Which request key a POST carries. */
final class RequestKeyHeaders {

    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    static final String REQUEST_ID = "X-Request-Id";

    private RequestKeyHeaders() {
    }

    /**
     * The client's {@code Idempotency-Key} if sent (an invalid one is the client's error), else
     * the {@code X-Request-Id} the edge adds if valid (an invalid one is ignored), else none.
     */
    static Optional<RequestKey> requestKey(String idempotencyKey, String requestId) {
        if (idempotencyKey != null) {
            return Optional.of(RequestKey.parse(idempotencyKey).orElseThrow(() -> new InvalidRequestException(
                    "invalid_idempotency_key",
                    "Idempotency-Key must be 1 to " + RequestKey.MAX_LENGTH + " characters of A-Z a-z 0-9 . _ : -")));
        }
        return RequestKey.parse(requestId);
    }
}
