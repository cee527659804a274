package com.timestamps.infrastructure.health;

import com.timestamps.infrastructure.lifecycle.ShutdownSignal;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Not ready from the shutdown signal on: the instance is finishing its last requests. */
@Readiness
@ApplicationScoped
public class ShutdownCheck implements HealthCheck {

    @Inject
    ShutdownSignal shutdown;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("shutdown").status(!shutdown.isStopping()).build();
    }
}
