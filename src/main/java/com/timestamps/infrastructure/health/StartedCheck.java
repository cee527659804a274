package com.timestamps.infrastructure.health;

import com.timestamps.infrastructure.persistence.SchemaMigrator;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Startup;

/** Started once the application has initialised (schema migration has been set going). */
@Startup
@ApplicationScoped
public class StartedCheck implements HealthCheck {

    @Inject
    SchemaMigrator migrator;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("initialised").status(migrator.isStarted()).build();
    }
}
