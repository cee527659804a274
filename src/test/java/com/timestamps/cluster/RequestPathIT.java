package com.timestamps.cluster;

import static com.timestamps.cluster.LocalCluster.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The whole request path: curl → nginx → Payara Micro → Router → Group Replication. */
class RequestPathIT {

    private final LocalCluster cluster = new LocalCluster();

    @Test
    void aPostIsStoredIdenticallyOnEveryMember() {
        HttpResponse<String> response = cluster.post();
        assertEquals(201, response.statusCode(), response.body());
        JsonObject stamp = LocalCluster.json(response.body());
        String id = stamp.getString("id");
        assertEquals("/app/" + id, response.headers().firstValue("Location").map(l -> l.replaceFirst("^https?://[^/]+", "")).orElse(""));

        String sql = "SELECT DATE_FORMAT(recorded_at, '%Y-%m-%dT%H:%i:%s.%fZ') FROM timestamps.timestamp_record WHERE id = UUID_TO_BIN('" + id + "')";
        for (String member : cluster.dbMembers()) {
            assertTrue(eventually(Duration.ofSeconds(10), () -> !cluster.query(member, sql).isEmpty()),
                    "row " + id + " never appeared on " + member);
            assertEquals(stamp.getString("timestamp"), cluster.query(member, sql), "stored timestamp on " + member);
        }
        assertEquals(200, cluster.send("GET", "/app/" + id, null).statusCode());
    }

    @Test
    void everyAppInstanceServesThroughNginx() {
        Set<String> expected = Set.copyOf(cluster.appHosts());
        Set<String> instances = new HashSet<>();
        for (int i = 0; i < 10 * expected.size() && !instances.equals(expected); i++) {
            HttpResponse<String> response = cluster.post();
            assertEquals(201, response.statusCode(), response.body());
            instances.add(LocalCluster.json(response.body()).getString("instance"));
        }
        assertEquals(expected, instances);
    }

    @Test
    void errorsMadeByNginxItselfAreJsonToo() {
        HttpResponse<String> tooLarge = cluster.send("POST", "/app", "x".repeat(64 * 1024), "Content-Type", "application/json");
        assertEquals(413, tooLarge.statusCode());
        assertEquals("application/json", tooLarge.headers().firstValue("Content-Type").orElse(""));
        assertEquals(413, LocalCluster.json(tooLarge.body()).getInt("status"));
    }
}
