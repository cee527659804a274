package com.timestamps.application;

import java.util.Optional;

/** A validated list request: how many records, and after which position. */
public record PageRequest(int limit, Optional<PageCursor> after) {

    /**
     * @param limitParam  the raw {@code limit} query parameter, or null when absent
     * @param cursorParam the raw {@code cursor} query parameter, or null when absent
     */
    public static PageRequest parse(String limitParam, String cursorParam, int defaultLimit, int maxLimit) {
        int limit = limitParam == null ? defaultLimit : parseLimit(limitParam, maxLimit);
        Optional<PageCursor> after = cursorParam == null ? Optional.empty() : Optional.of(PageCursor.decode(cursorParam));
        return new PageRequest(limit, after);
    }

    private static int parseLimit(String raw, int maxLimit) {
        // digits only: Integer.parseInt would also take "+5"; nine digits cannot overflow
        int limit = raw.matches("[0-9]{1,9}") ? Integer.parseInt(raw) : 0;
        if (limit < 1 || limit > maxLimit) {
            throw new InvalidRequestException("invalid_limit", "limit must be an integer from 1 to " + maxLimit);
        }
        return limit;
    }
}
