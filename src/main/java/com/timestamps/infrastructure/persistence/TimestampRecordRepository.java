package com.timestamps.infrastructure.persistence;

import com.timestamps.domain.RecordPosition;
import com.timestamps.domain.RequestKey;
import com.timestamps.domain.StoreUnavailableException;
import com.timestamps.domain.TimestampRecord;
import com.timestamps.domain.TimestampRecordStore;
import com.timestamps.domain.Uuids;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import jakarta.transaction.Status;
import jakarta.transaction.UserTransaction;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@link TimestampRecordStore} in MySQL, through JPA. Database outages come out as
 * {@link StoreUnavailableException}, also while the schema has not been migrated yet.
 */
@ApplicationScoped
public class TimestampRecordRepository implements TimestampRecordStore {

    private static final Logger LOG = Logger.getLogger(TimestampRecordRepository.class.getName());

    // native SQL: JPQL has no ordering comparison for the BINARY(16) id
    private static final String FIRST_PAGE =
            "SELECT * FROM timestamp_record ORDER BY recorded_at DESC, id DESC LIMIT ?1";
    private static final String PAGE_AFTER_CURSOR = "SELECT * FROM timestamp_record"
            + " WHERE recorded_at < ?1 OR (recorded_at = ?2 AND id < ?3)"
            + " ORDER BY recorded_at DESC, id DESC LIMIT ?4";

    @Inject
    TimestampsPersistence persistence;

    @Inject
    SchemaMigrator schema;

    @Resource
    UserTransaction transaction;

    @Override
    public Optional<TimestampRecord> findById(UUID id) {
        return read(em -> em.createQuery("SELECT r FROM TimestampRecord r WHERE r.id = :id", TimestampRecord.class)
                .setParameter("id", Uuids.toBytes(id))
                .getResultStream()
                .findFirst());
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<TimestampRecord> newestFirst(Optional<RecordPosition> after, int limit) {
        return read(em -> {
            Query query;
            if (after.isPresent()) {
                query = em.createNativeQuery(PAGE_AFTER_CURSOR, TimestampRecord.class)
                        .setParameter(1, after.get().recordedAt())
                        .setParameter(2, after.get().recordedAt())
                        .setParameter(3, Uuids.toBytes(after.get().id()))
                        .setParameter(4, limit);
            } else {
                query = em.createNativeQuery(FIRST_PAGE, TimestampRecord.class).setParameter(1, limit);
            }
            return (List<TimestampRecord>) query.getResultList();
        });
    }

    @Override
    public Map<RequestKey, TimestampRecord> storeNewKeys(Collection<TimestampRecord> records) {
        requireSchema();
        // Nearly every key is new, so the first try inserts without looking the keys up. A key
        // stored already (a retried request, a commit whose outcome was lost, a concurrent
        // request on another instance) fails the insert on the unique key; from then on each
        // try looks the keys up first, and fails again only if another transaction commits
        // one of them in between: one more stored key each time, so the tries are bounded.
        boolean lookUpFirst = false;
        for (int duplicates = 0; ; duplicates++) {
            try {
                return storeNewKeysOnce(records, lookUpFirst);
            } catch (Exception e) {
                rollbackIfActive();
                if (PersistenceFailures.classify(e) != PersistenceFailures.Kind.DUPLICATE_KEY || duplicates > records.size()) {
                    throw translate(e);
                }
                lookUpFirst = true;
            }
        }
    }

    private Map<RequestKey, TimestampRecord> storeNewKeysOnce(Collection<TimestampRecord> records, boolean lookUpFirst)
            throws Exception {
        Map<RequestKey, TimestampRecord> stored = new HashMap<>();
        transaction.begin();
        try (EntityManager em = persistence.createEntityManager()) {
            em.joinTransaction();
            if (lookUpFirst) {
                List<String> keys = records.stream().map(record -> record.requestKey().value()).toList();
                em.createQuery("SELECT r FROM TimestampRecord r WHERE r.requestKey IN :keys", TimestampRecord.class)
                        .setParameter("keys", keys)
                        .getResultStream()
                        .forEach(found -> stored.put(found.requestKey(), found));
            }
            for (TimestampRecord record : records) {
                if (stored.putIfAbsent(record.requestKey(), record) == null) {
                    em.persist(record);
                }
            }
            // one multi-row INSERT: EclipseLink batch writing, rewritten by Connector/J
            em.flush();
        }
        transaction.commit();
        return stored;
    }

    private <T> T read(Function<EntityManager, T> query) {
        requireSchema();
        try (EntityManager em = persistence.createEntityManager()) {
            return query.apply(em);
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    private void requireSchema() {
        if (!schema.isMigrated()) {
            throw new StoreUnavailableException("database schema not migrated yet", null);
        }
    }

    private static RuntimeException translate(Exception e) {
        if (PersistenceFailures.classify(e) == PersistenceFailures.Kind.UNAVAILABLE) {
            LOG.log(Level.FINE, "database unavailable", e);
            return new StoreUnavailableException("database unavailable", e);
        }
        return e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e);
    }

    private void rollbackIfActive() {
        try {
            if (transaction.getStatus() != Status.STATUS_NO_TRANSACTION) {
                transaction.rollback();
            }
        } catch (Exception e) {
            LOG.log(Level.FINE, "rollback failed", e);
        }
    }
}
