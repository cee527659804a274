package com.timestamps.application;

import com.timestamps.domain.RequestKey;
import com.timestamps.domain.StoreUnavailableException;
import com.timestamps.domain.TimestampRecord;
import com.timestamps.domain.TimestampRecordStore;
import com.timestamps.domain.UtcMicros;
import com.timestamps.domain.UuidV7Generator;
import com.timestamps.domain.Uuids;
import com.timestamps.domain.WriteMetrics;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Records timestamps exactly once per request key and reads them back.
 *
 * <p>Concurrent POSTs are written by a {@link GroupCommit}: the new records of many requests go
 * into one transaction, so the cost of a commit on every Group Replication member is shared.
 * Each request is answered only after the transaction holding its record committed.
 *
 * <p>Every database step is retried with back-off while the database is unavailable (Router
 * closes connections and refuses new ones during a primary failover) until the retry budget is
 * spent; then the store's {@link StoreUnavailableException} becomes the client's
 * {@link DatabaseUnavailableException}. Retrying a write is safe because the request keys are
 * unique: a key stored already, say by a commit whose outcome was lost, is found instead of
 * being written twice.
 */
@ApplicationScoped
public class TimestampRecordingService {

    private static final long FIRST_BACKOFF_MILLIS = 50;
    private static final long MAX_BACKOFF_MILLIS = 1_000;

    private final Clock clock = Clock.systemUTC();
    private final UuidV7Generator ids = new UuidV7Generator(clock);

    @Inject
    TimestampRecordStore store;

    @Inject
    InstanceName instanceName;

    @Inject
    WriteMetrics metrics;

    @Inject
    @ConfigProperty(name = "db.retry-budget-ms")
    long retryBudgetMillis;

    @Inject
    @ConfigProperty(name = "db.batch.max-rows")
    int maxBatchRows;

    @Inject
    @ConfigProperty(name = "db.batch.max-in-flight")
    int maxBatchesInFlight;

    private GroupCommit<NewRecord, RecordingResult> writes;

    @PostConstruct
    void createGroupCommit() {
        writes = new GroupCommit<>(this::writeBatch, maxBatchRows, maxBatchesInFlight);
        metrics.registerWriteQueue(writes::queued);
    }

    // created at start, so that the write queue's gauge is there before the first request
    void createAtStart(@Observes @Initialized(ApplicationScoped.class) Object applicationStarted) {
        // creating the bean is all it takes
    }

    /** @param key the request key, or empty to have one generated */
    public RecordingResult record(Optional<RequestKey> key) {
        UUID id = ids.next();
        RequestKey requestKey = key.orElseGet(() -> RequestKey.generated(id));
        long deadline = budgetFromNow();
        return writes.submit(new NewRecord(id, requestKey, deadline), deadline).orElseThrow(
                () -> new DatabaseUnavailableException("database unavailable: no write started within the retry budget", null));
    }

    /** A POST waiting for its record to be stored; the id is the record's if its key is new. */
    private record NewRecord(UUID id, RequestKey key, long deadlineNanos) {
    }

    private List<RecordingResult> writeBatch(List<NewRecord> batch) {
        metrics.batchWritten(batch.size());
        long deadline = batch.stream().mapToLong(NewRecord::deadlineNanos).min().orElseThrow();
        return retrying(deadline, () -> storeOnce(batch));
    }

    private List<RecordingResult> storeOnce(List<NewRecord> batch) {
        // the first request with a key proposes its record; later ones with that key replay it
        Map<RequestKey, TimestampRecord> proposed = new LinkedHashMap<>();
        for (NewRecord request : batch) {
            // taken once per attempt, just before the transaction that stores it
            proposed.computeIfAbsent(request.key(),
                    key -> new TimestampRecord(request.id(), UtcMicros.now(clock), key, instanceName.get()));
        }
        Map<RequestKey, TimestampRecord> stored = store.storeNewKeys(proposed.values());
        return batch.stream().map(request -> {
            TimestampRecord record = stored.get(request.key());
            // another id means an earlier request (or one before it in this batch) stored the key
            return new RecordingResult(record, !record.id().equals(request.id()));
        }).toList();
    }

    public TimestampRecord find(String id) {
        UUID uuid = Uuids.parseCanonical(id).orElseThrow(() -> new RecordNotFoundException(id));
        return retrying(budgetFromNow(), () -> store.findById(uuid)).orElseThrow(() -> new RecordNotFoundException(id));
    }

    public Page list(PageRequest request) {
        // one extra row tells whether a next page exists
        List<TimestampRecord> rows = retrying(budgetFromNow(), () -> store.newestFirst(request.after().map(PageCursor::position), request.limit() + 1));
        if (rows.size() <= request.limit()) {
            return new Page(rows, Optional.empty());
        }
        List<TimestampRecord> items = rows.subList(0, request.limit());
        return new Page(items, Optional.of(PageCursor.after(items.get(items.size() - 1))));
    }

    private long budgetFromNow() {
        return System.nanoTime() + retryBudgetMillis * 1_000_000;
    }

    /**
     * Runs the step until it succeeds, or until another back-off would pass the deadline; then
     * the store's last failure is thrown as a {@link DatabaseUnavailableException}.
     */
    private static <T> T retrying(long deadlineNanos, Supplier<T> step) {
        long backoff = FIRST_BACKOFF_MILLIS;
        while (true) {
            try {
                return step.get();
            } catch (StoreUnavailableException e) {
                if (System.nanoTime() + backoff * 1_000_000 > deadlineNanos) {
                    throw unavailable(e);
                }
                sleep(backoff, e);
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
            }
        }
    }

    private static void sleep(long millis, StoreUnavailableException cause) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(cause);
        }
    }

    private static DatabaseUnavailableException unavailable(StoreUnavailableException e) {
        return new DatabaseUnavailableException(e.getMessage(), e);
    }
}
