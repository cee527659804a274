package com.timestamps.infrastructure.health;

import com.timestamps.infrastructure.persistence.DatabaseProbe;
import com.timestamps.infrastructure.persistence.SchemaMigrator;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the schema is migrated and the database answers within the ready timeout. */
@Readiness
@ApplicationScoped
public class ReadinessCheck implements HealthCheck {

    @Inject
    SchemaMigrator migrator;

    @Inject
    DatabaseProbe probe;

    @Override
    public HealthCheckResponse call() {
        boolean migrated = migrator.isMigrated();
        boolean reachable = probe.isReachable();
        return HealthCheckResponse.named("database")
                .status(migrated && reachable)
                .withData("migrated", migrated)
                .withData("reachable", reachable)
                .build();
    }
}
