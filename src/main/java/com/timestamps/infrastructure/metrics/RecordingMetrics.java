package com.timestamps.infrastructure.metrics;

import com.timestamps.domain.WriteMetrics;
import com.timestamps.infrastructure.persistence.TimestampsPersistence;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.function.IntSupplier;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.Tag;
import org.eclipse.microprofile.metrics.Timer;

/**
 * Application metrics, at {@code /metrics?scope=application}: the {@link WriteMetrics} the
 * recording service emits, and those of the REST resource. Timer quantiles come out in
 * nanoseconds under a {@code _seconds} name (a Payara bug); use {@code _sum} and {@code _count}.
 */
@ApplicationScoped
public class RecordingMetrics implements WriteMetrics {

    private static final Metadata RECORDED = Metadata.builder()
            .withName("timestamps.recorded")
            .withDescription("POST /app answered 201; replayed=true when an earlier record was returned for its key")
            .build();
    private static final Metadata FAILURES = Metadata.builder()
            .withName("timestamps.record.failures")
            .withDescription("POST /app not answered 201, by cause")
            .build();
    private static final Metadata DURATION = Metadata.builder()
            .withName("timestamps.record.duration")
            .withDescription("Time to answer POST /app")
            .withUnit(MetricUnits.SECONDS)
            .build();

    private static final Metadata BATCH_REQUESTS = Metadata.builder()
            .withName("timestamps.write.batch.requests")
            .withDescription("POST requests whose records were written in one transaction (group commit)")
            .build();

    @Inject
    MetricRegistry registry;

    @Inject
    TimestampsPersistence persistence;

    // at start, so the gauges are there before the first request
    void registerGauges(@Observes @Initialized(ApplicationScoped.class) Object applicationStarted) {
        registry.gauge(Metadata.builder()
                        .withName("timestamps.db.connections.in_use")
                        .withDescription("Connections the application holds from its database pool")
                        .build(),
                persistence, TimestampsPersistence::connectionsInUse);
        registry.gauge(Metadata.builder()
                        .withName("timestamps.db.connections.max")
                        .withDescription("Size limit of the database pool")
                        .build(),
                persistence, p -> TimestampsPersistence.MAX_POOL_SIZE);
    }

    @Override
    public void registerWriteQueue(IntSupplier queued) {
        registry.gauge(Metadata.builder()
                        .withName("timestamps.write.queued")
                        .withDescription("POST requests waiting for a place in a write transaction")
                        .build(),
                queued, IntSupplier::getAsInt);
    }

    @Override
    public void batchWritten(int requests) {
        registry.histogram(BATCH_REQUESTS).update(requests);
    }

    public Timer.Context timeRecording() {
        return registry.timer(DURATION).time();
    }

    public void recorded(boolean replayed) {
        registry.counter(RECORDED, new Tag("replayed", Boolean.toString(replayed))).inc();
    }

    public void failed(String cause) {
        registry.counter(FAILURES, new Tag("cause", cause)).inc();
    }
}
