package com.timestamps.infrastructure.persistence;

import jakarta.resource.ResourceException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.SystemException;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.Set;

/** Tells from an exception chain whether a database step hit a duplicate key or an outage. */
final class PersistenceFailures {

    enum Kind { DUPLICATE_KEY, UNAVAILABLE, OTHER }

    private static final int ER_DUP_ENTRY = 1062;

    /**
     * MySQL errors that mean "not now" rather than "never": lock wait timeout, deadlock,
     * server shutting down, connection killed, read-only member (a secondary or a primary being
     * demoted), Group Replication refusing or rolling back the commit, disconnected by server.
     */
    private static final Set<Integer> TRANSIENT_MYSQL_ERRORS = Set.of(1205, 1213, 1053, 1927, 1290, 1836, 3100, 3101, 4031);

    private static final int MAX_DEPTH = 32;

    private PersistenceFailures() {
    }

    static Kind classify(Throwable failure) {
        Throwable current = failure;
        for (int depth = 0; current != null && depth < MAX_DEPTH; depth++, current = current.getCause()) {
            if (current instanceof SQLException sql) {
                if (sql instanceof SQLIntegrityConstraintViolationException && sql.getErrorCode() == ER_DUP_ENTRY) {
                    return Kind.DUPLICATE_KEY;
                }
                if (isTransient(sql)) {
                    return Kind.UNAVAILABLE;
                }
            }
            // the pool could not open a connection, the transaction was rolled back at commit,
            // or the transaction manager lost the connection during the commit (its outcome
            // is unknown: the retry resolves it by the request key, never by guessing)
            if (current instanceof ResourceException || current instanceof RollbackException
                    || current instanceof SystemException) {
                return Kind.UNAVAILABLE;
            }
        }
        return Kind.OTHER;
    }

    private static boolean isTransient(SQLException sql) {
        String state = sql.getSQLState();
        return sql instanceof SQLTransientException
                || sql instanceof SQLRecoverableException
                || (state != null && (state.startsWith("08") || state.startsWith("40")))
                || TRANSIENT_MYSQL_ERRORS.contains(sql.getErrorCode());
    }
}
