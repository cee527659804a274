package com.timestamps.cluster;

import static com.timestamps.cluster.LocalCluster.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** kill -9 of one Payara Micro instance: nginx fails over and every request keeps succeeding. */
class AppInstanceFailureIT {

    private final LocalCluster cluster = new LocalCluster();

    @Test
    void requestsKeepSucceedingAfterKillDashNineOfOneInstance() {
        long pid = cluster.component("app-a").getJsonNumber("pid").longValue();
        ProcessHandle victim = ProcessHandle.of(pid).orElseThrow();
        assertTrue(victim.destroyForcibly(), "SIGKILL sent to app-a");
        assertTrue(eventually(Duration.ofSeconds(10), () -> !victim.isAlive()), "app-a is gone");

        for (int i = 0; i < 30; i++) {
            HttpResponse<String> response = cluster.post();
            assertEquals(201, response.statusCode(), "request " + i + ": " + response.body());
            assertEquals("app-b", LocalCluster.json(response.body()).getString("instance"));
        }
        assertEquals("stopped", cluster.component("app-a").getString("state"));
    }

    @AfterEach
    void bringTheInstanceBack() {
        cluster.stack("up");
        assertEquals("ready", cluster.component("app-a").getString("state"));
    }
}
