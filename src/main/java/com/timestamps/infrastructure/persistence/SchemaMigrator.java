package com.timestamps.infrastructure.persistence;

import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.flywaydb.core.Flyway;

/**
 * Applies the Flyway migrations in {@code db/migration} with the migration account, in the
 * background and again every {@code db.migration.retry-ms} until they succeed, so the
 * application deploys and stays live while the database is unreachable. Flyway's lock (a MySQL
 * named lock on the primary) makes instances that start together take turns.
 */
@ApplicationScoped
public class SchemaMigrator {

    private static final Logger LOG = Logger.getLogger(SchemaMigrator.class.getName());

    @Resource
    ManagedScheduledExecutorService executor;

    @Inject
    DatabaseSettings settings;

    @Inject
    @ConfigProperty(name = "db.migration.retry-ms")
    long retryMillis;

    private volatile boolean started;
    private volatile boolean migrated;

    void start(@Observes @Initialized(ApplicationScoped.class) Object applicationStarted) {
        executor.execute(this::migrate);
        started = true;
    }

    /** The application has initialised: migrations are under way or done. */
    public boolean isStarted() {
        return started;
    }

    public boolean isMigrated() {
        return migrated;
    }

    private void migrate() {
        try {
            Flyway.configure(SchemaMigrator.class.getClassLoader())
                    .dataSource(settings.migrationDataSource())
                    .locations("classpath:db/migration")
                    .load()
                    .migrate();
            migrated = true;
            LOG.info("database schema is up to date");
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "database migration failed, retrying in {0} ms: {1}",
                    new Object[] {retryMillis, rootMessage(e)});
            executor.schedule(this::migrate, retryMillis, TimeUnit.MILLISECONDS);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.toString();
    }
}
