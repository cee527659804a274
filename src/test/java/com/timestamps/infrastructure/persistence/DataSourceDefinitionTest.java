package com.timestamps.infrastructure.persistence;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.annotation.sql.DataSourceDefinition;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Payara expands {@code ${MPCONFIG=key}} in the data source definition at deploy time; a key
 * with no value stays in as literal text and breaks the pool. So every key it names has its
 * default in META-INF/microprofile-config.properties, except the secrets.
 */
class DataSourceDefinitionTest {

    private static final Pattern MPCONFIG = Pattern.compile("\\$\\{MPCONFIG=([^}]*)}");
    private static final Set<String> SECRETS = Set.of("db.password");

    @Test
    void everyConfiguredValueHasItsDefault() throws IOException {
        DataSourceDefinition definition = TimestampsPersistence.class.getAnnotation(DataSourceDefinition.class);
        Properties defaults = defaults();
        List<String> keys = new ArrayList<>();
        Stream.concat(Stream.of(definition.url(), definition.user(), definition.password()),
                Stream.of(definition.properties())).forEach(value -> {
                    Matcher matcher = MPCONFIG.matcher(value);
                    while (matcher.find()) {
                        keys.add(matcher.group(1));
                    }
                });
        assertTrue(keys.containsAll(List.of("db.url", "db.connect-timeout-ms", "db.socket-timeout-ms")), keys.toString());
        for (String key : keys) {
            if (!SECRETS.contains(key)) {
                assertNotNull(defaults.getProperty(key), key + " has no default in microprofile-config.properties");
            }
        }
    }

    private static Properties defaults() throws IOException {
        Properties defaults = new Properties();
        try (InputStream in = DataSourceDefinitionTest.class.getResourceAsStream("/META-INF/microprofile-config.properties")) {
            assertNotNull(in, "META-INF/microprofile-config.properties not on the class path");
            defaults.load(in);
        }
        return defaults;
    }
}
