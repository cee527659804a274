package com.timestamps.infrastructure.persistence;

import static com.timestamps.infrastructure.persistence.PersistenceFailures.Kind.DUPLICATE_KEY;
import static com.timestamps.infrastructure.persistence.PersistenceFailures.Kind.OTHER;
import static com.timestamps.infrastructure.persistence.PersistenceFailures.Kind.UNAVAILABLE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.persistence.PersistenceException;
import jakarta.resource.ResourceException;
import jakarta.transaction.SystemException;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLSyntaxErrorException;
import org.junit.jupiter.api.Test;

class PersistenceFailuresTest {

    @Test
    void aDuplicateEntryDeepInTheChainIsADuplicateKey() {
        SQLException duplicate = new SQLIntegrityConstraintViolationException("Duplicate entry", "23000", 1062);
        assertEquals(DUPLICATE_KEY, PersistenceFailures.classify(new PersistenceException(new RuntimeException(duplicate))));
    }

    @Test
    void anotherConstraintViolationIsNot() {
        SQLException notNull = new SQLIntegrityConstraintViolationException("cannot be null", "23000", 1048);
        assertEquals(OTHER, PersistenceFailures.classify(new PersistenceException(notNull)));
    }

    @Test
    void connectionFailuresAndRefusalsAreUnavailability() {
        assertEquals(UNAVAILABLE, PersistenceFailures.classify(new SQLNonTransientConnectionException("refused", "08001")));
        assertEquals(UNAVAILABLE, PersistenceFailures.classify(new SQLException("Communications link failure", "08S01")));
        assertEquals(UNAVAILABLE, PersistenceFailures.classify(new SQLException("super-read-only", "HY000", 1290)));
        assertEquals(UNAVAILABLE, PersistenceFailures.classify(new SQLException("deadlock", "40001", 1213)));
        assertEquals(UNAVAILABLE, PersistenceFailures.classify(
                new SQLException("Error in allocating a connection", new ResourceException("pool"))));
    }

    @Test
    void aCommitThatLostItsConnectionIsUnavailabilityNotAnError() {
        // what Payara's transaction manager throws when the connection dies inside commit()
        assertEquals(UNAVAILABLE, PersistenceFailures.classify(new IllegalStateException(new SystemException())));
    }

    @Test
    void programmingErrorsAreNot() {
        assertEquals(OTHER, PersistenceFailures.classify(new SQLSyntaxErrorException("syntax", "42000", 1064)));
        assertEquals(OTHER, PersistenceFailures.classify(new IllegalStateException("bug")));
    }

    @Test
    void aCyclicChainEnds() {
        RuntimeException first = new RuntimeException("first");
        RuntimeException second = new RuntimeException("second", first);
        first.initCause(second);
        assertEquals(OTHER, PersistenceFailures.classify(first));
    }
}
