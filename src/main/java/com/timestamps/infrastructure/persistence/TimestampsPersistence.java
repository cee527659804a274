package com.timestamps.infrastructure.persistence;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.annotation.sql.DataSourceDefinition;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The JTA data source and the JPA (EclipseLink) persistence unit over it.
 *
 * <p>Start order must not matter. A persistence.xml that the container finds makes Payara log
 * EclipseLink in while deploying, and an unreachable database then fails the deployment for
 * good. So the unit is described in {@code META-INF/timestamps-persistence.xml}, which the
 * container does not read, and bootstrapped here: creating the factory needs no connection,
 * and EclipseLink logs in on the first entity manager and tries again on the next one if that
 * login failed. The pool starts empty, so nothing connects at deploy time.
 */
@DataSourceDefinition(
        name = TimestampsPersistence.DATA_SOURCE,
        className = "com.mysql.cj.jdbc.MysqlDataSource",
        url = "${MPCONFIG=db.url}",
        user = "${MPCONFIG=db.user}",
        password = "${MPCONFIG=db.password}",
        initialPoolSize = 0,
        minPoolSize = 0,
        maxPoolSize = TimestampsPersistence.MAX_POOL_SIZE,
        maxIdleTime = 300,
        properties = {
            // Connector/J: fail fast when the database (or Router) does not answer. Settings
            // (defaults in microprofile-config.properties, env DB_CONNECT_TIMEOUT_MS and
            // DB_SOCKET_TIMEOUT_MS): they bound one attempt of a database step, and the timeout
            // chain (retry budget plus one attempt < nginx's read timeout) depends on them.
            "connectTimeout=${MPCONFIG=db.connect-timeout-ms}",
            "socketTimeout=${MPCONFIG=db.socket-timeout-ms}",
            "tcpKeepAlive=true",
            // a JDBC batch of INSERTs goes to the server as one multi-row INSERT
            "rewriteBatchedStatements=true",
            // the driver tracks autocommit and read-only itself instead of asking the server
            // (a round trip before every batch and every transaction)
            "useLocalSessionState=true",
            // Payara sets the JVM-wide key store; offering its certificate makes MySQL refuse TLS
            "fallbackToSystemKeyStore=false",
            // Payara pool: validate connections on checkout and drop them all once one is dead,
            // e.g. after a database restart or a primary failover
            "fish.payara.is-connection-validation-required=true",
            "fish.payara.connection-validation-method=custom-validation",
            "fish.payara.validation-classname=org.glassfish.api.jdbc.validation.MySQLConnectionValidation",
            "fish.payara.fail-all-connections=true",
            // a connection validated less than a second ago is not validated again: a round
            // trip less per transaction; one that died since fails its statement, and the
            // recording service retries that on another connection
            "fish.payara.validate-atmost-once-period-in-seconds=1",
            // longest wait for a free connection; the recording service retries with back-off
            // within its own budget, so a short wait here keeps that budget honest
            "fish.payara.max-wait-time-in-millis=1000"
        })
@ApplicationScoped
public class TimestampsPersistence {

    static final String DATA_SOURCE = "java:app/jdbc/timestamps";
    public static final int MAX_POOL_SIZE = 16;

    @Resource(lookup = DATA_SOURCE)
    DataSource dataSource;

    private ConnectionCountingDataSource countingDataSource;
    private EntityManagerFactory factory;

    @PostConstruct
    void createFactory() {
        countingDataSource = new ConnectionCountingDataSource(dataSource);
        factory = Persistence.createEntityManagerFactory("timestamps", Map.of(
                "eclipselink.persistencexml", "META-INF/timestamps-persistence.xml",
                "jakarta.persistence.jtaDataSource", countingDataSource));
    }

    @PreDestroy
    void closeFactory() {
        factory.close();
    }

    /** A new application-managed entity manager; the caller closes it. */
    public EntityManager createEntityManager() {
        return factory.createEntityManager();
    }

    /** Pooled connections the application holds right now. */
    public int connectionsInUse() {
        return countingDataSource.inUse();
    }
}
