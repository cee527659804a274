package com.timestamps.cluster;

import static com.timestamps.cluster.LocalCluster.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One Payara Micro instance goes away under nginx, without a drain: every request keeps succeeding. */
class AppInstanceFailureIT {

    private final LocalCluster cluster = new LocalCluster();
    private ProcessHandle victim;

    @Test
    void requestsKeepSucceedingAfterKillDashNineOfOneInstance() {
        victim = appA();
        assertTrue(victim.destroyForcibly(), "SIGKILL sent to app-a");
        assertTrue(eventually(Duration.ofSeconds(10), () -> !victim.isAlive()), "app-a is gone");

        for (int i = 0; i < 30; i++) {
            HttpResponse<String> response = cluster.post();
            assertEquals(201, response.statusCode(), "request " + i + ": " + response.body());
            assertEquals("app-b", LocalCluster.json(response.body()).getString("instance"));
        }
        assertEquals("stopped", cluster.component("app-a").getString("state"));
    }

    @Test
    void aStoppingInstanceTurnsNewRequestsAwayAndNginxSendsThemToTheOther() {
        victim = appA();
        assertTrue(victim.destroy(), "SIGTERM sent to app-a");

        // its shutdown grace period: not ready, and a JSON 503 before anything is written
        assertTrue(eventually(Duration.ofSeconds(2), () -> cluster.sendTo("app-a", "GET", "/health/ready").statusCode() == 503),
                "app-a reports not ready once it has the signal");
        HttpResponse<String> refused = cluster.sendTo("app-a", "POST", "/app");
        assertEquals(503, refused.statusCode(), refused.body());
        assertEquals("shutting_down", LocalCluster.json(refused.body()).getString("error"));

        // through nginx, until app-a has exited and a while after: every request is recorded
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        int sentAfterExit = 0;
        for (int i = 0; sentAfterExit < 30 && System.nanoTime() < deadline; i++) {
            HttpResponse<String> response = cluster.post();
            assertEquals(201, response.statusCode(), "request " + i + ": " + response.body());
            if (!victim.isAlive()) {
                sentAfterExit++;
            }
        }
        assertFalse(victim.isAlive(), "app-a exited within 30 s of SIGTERM");
    }

    private ProcessHandle appA() {
        long pid = cluster.component("app-a").getJsonNumber("pid").longValue();
        return ProcessHandle.of(pid).orElseThrow();
    }

    @AfterEach
    void bringTheInstanceBack() throws Exception {
        // a stopping instance still runs for its grace period, and `up` leaves a running one alone
        if (victim != null) {
            victim.onExit().get(60, TimeUnit.SECONDS);
        }
        cluster.stack("up");
        assertEquals("ready", cluster.component("app-a").getString("state"));
    }
}
