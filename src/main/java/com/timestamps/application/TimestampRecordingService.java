package com.timestamps.application;

import com.timestamps.domain.RequestKey;
import com.timestamps.domain.TimestampRecord;
import com.timestamps.domain.UtcMicros;
import com.timestamps.domain.UuidV7Generator;
import com.timestamps.domain.Uuids;
import com.timestamps.infrastructure.persistence.TimestampRecordRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Records timestamps exactly once per request key and reads them back.
 *
 * <p>Every database step is retried with back-off while the database is unavailable (Router
 * closes connections and refuses new ones during a primary failover) until the retry budget is
 * spent. Retrying a POST is safe because each attempt first looks the request key up: a commit
 * whose outcome was lost is found there instead of being written twice.
 */
@ApplicationScoped
public class TimestampRecordingService {

    private static final long FIRST_BACKOFF_MILLIS = 50;
    private static final long MAX_BACKOFF_MILLIS = 1_000;

    private final Clock clock = Clock.systemUTC();
    private final UuidV7Generator ids = new UuidV7Generator(clock);

    @Inject
    TimestampRecordRepository repository;

    @Inject
    InstanceName instanceName;

    @Inject
    @ConfigProperty(name = "db.retry-budget-ms")
    long retryBudgetMillis;

    /** @param key the request key, or empty to have one generated */
    public RecordingResult record(Optional<RequestKey> key) {
        UUID id = ids.next();
        RequestKey requestKey = key.orElseGet(() -> RequestKey.generated(id));
        return retrying(() -> recordOnce(id, requestKey));
    }

    private RecordingResult recordOnce(UUID id, RequestKey key) {
        Optional<TimestampRecord> stored = repository.findByRequestKey(key);
        if (stored.isPresent()) {
            return new RecordingResult(stored.get(), true);
        }
        // taken once per attempt, just before the insert that stores it
        TimestampRecord record = new TimestampRecord(id, UtcMicros.now(clock), key, instanceName.get());
        if (repository.insertIfKeyIsNew(record)) {
            return new RecordingResult(record, false);
        }
        // a concurrent request with the same key committed first
        TimestampRecord first = repository.findByRequestKey(key).orElseThrow(
                () -> new IllegalStateException("request key reported as duplicate but not found"));
        return new RecordingResult(first, true);
    }

    public TimestampRecord find(String id) {
        UUID uuid = Uuids.parseCanonical(id).orElseThrow(() -> new RecordNotFoundException(id));
        return retrying(() -> repository.findById(uuid)).orElseThrow(() -> new RecordNotFoundException(id));
    }

    public Page list(PageRequest request) {
        // one extra row tells whether a next page exists
        List<TimestampRecord> rows = retrying(() -> repository.newestFirst(request.after(), request.limit() + 1));
        if (rows.size() <= request.limit()) {
            return new Page(rows, Optional.empty());
        }
        List<TimestampRecord> items = rows.subList(0, request.limit());
        return new Page(items, Optional.of(PageCursor.after(items.get(items.size() - 1))));
    }

    private <T> T retrying(Supplier<T> step) {
        long deadline = System.nanoTime() + retryBudgetMillis * 1_000_000;
        long backoff = FIRST_BACKOFF_MILLIS;
        while (true) {
            try {
                return step.get();
            } catch (DatabaseUnavailableException e) {
                if (System.nanoTime() + backoff * 1_000_000 > deadline) {
                    throw e;
                }
                sleep(backoff, e);
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
            }
        }
    }

    private static void sleep(long millis, DatabaseUnavailableException cause) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw cause;
        }
    }
}
