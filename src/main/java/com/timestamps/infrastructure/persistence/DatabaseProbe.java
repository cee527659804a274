package com.timestamps.infrastructure.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Checks that the database answers through the configured URL with the runtime account, on a
 * fresh connection outside the pool (a busy pool must not make an instance look unready),
 * within the ready timeout for connecting and for each round trip.
 */
@ApplicationScoped
public class DatabaseProbe {

    @Inject
    DatabaseSettings settings;

    public boolean isReachable() {
        int timeoutSeconds = Math.max(1, (settings.readyTimeoutMillis() + 999) / 1000);
        try (Connection connection = settings.probeDataSource().getConnection()) {
            return connection.isValid(timeoutSeconds);
        } catch (SQLException e) {
            return false;
        }
    }
}
