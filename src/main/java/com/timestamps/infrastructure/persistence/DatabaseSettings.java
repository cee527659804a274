package com.timestamps.infrastructure.persistence;

import com.mysql.cj.jdbc.MysqlDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Database settings from MicroProfile Config, and the unpooled data sources built from them:
 * one for migrations (the migration account) and one for readiness probes (the runtime account).
 * The pooled runtime data source is declared in {@link TimestampsPersistence}.
 */
@ApplicationScoped
public class DatabaseSettings {

    @Inject
    @ConfigProperty(name = "db.url")
    String url;

    @Inject
    @ConfigProperty(name = "db.user")
    String user;

    @Inject
    @ConfigProperty(name = "db.password")
    Optional<String> password;

    @Inject
    @ConfigProperty(name = "db.migration.user")
    String migrationUser;

    @Inject
    @ConfigProperty(name = "db.migration.password")
    Optional<String> migrationPassword;

    @Inject
    @ConfigProperty(name = "db.ready-timeout-ms")
    int readyTimeoutMillis;

    @Inject
    @ConfigProperty(name = "db.migration.socket-timeout-ms")
    int migrationSocketTimeoutMillis;

    public DataSource migrationDataSource() {
        return unpooled(migrationUser, migrationPassword, readyTimeoutMillis, migrationSocketTimeoutMillis);
    }

    public DataSource probeDataSource() {
        return unpooled(user, password, readyTimeoutMillis, readyTimeoutMillis);
    }

    public int readyTimeoutMillis() {
        return readyTimeoutMillis;
    }

    private DataSource unpooled(String account, Optional<String> secret, int connectMillis, int socketMillis) {
        MysqlDataSource dataSource = new MysqlDataSource();
        dataSource.setURL(url);
        dataSource.setUser(account);
        dataSource.setPassword(secret.orElse(""));
        try {
            dataSource.setConnectTimeout(connectMillis);
            dataSource.setSocketTimeout(socketMillis);
            // see TimestampsPersistence: never offer Payara's certificate to MySQL
            dataSource.setFallbackToSystemKeyStore(false);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot configure the MySQL data source", e);
        }
        return dataSource;
    }
}
