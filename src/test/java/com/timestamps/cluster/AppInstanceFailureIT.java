package com.timestamps.cluster;

import static com.timestamps.cluster.LocalCluster.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One Payara Micro instance (the first app host's in {@code ./stack config}) goes away under
 * nginx, without a drain: every request keeps succeeding on the others. Killed, it comes back
 * by itself (its supervisor); stopped by SIGTERM it stays down, as under systemd, until
 * {@code ./stack up}.
 */
class AppInstanceFailureIT {

    private final LocalCluster cluster = new LocalCluster();
    private final String victimHost = cluster.appHosts().get(0);
    private final List<String> otherHosts = cluster.appHosts().subList(1, cluster.appHosts().size());
    private ProcessHandle victim;

    @Test
    void requestsKeepSucceedingAfterKillDashNineOfOneInstance() {
        assertFalse(otherHosts.isEmpty(), "a second app host to take over: " + cluster.appHosts());
        victim = instance(victimHost);
        assertTrue(victim.destroyForcibly(), "SIGKILL sent to " + victimHost);
        assertTrue(eventually(Duration.ofSeconds(10), () -> !victim.isAlive()), victimHost + " is gone");

        for (int i = 0; i < 30; i++) {
            HttpResponse<String> response = cluster.post();
            assertEquals(201, response.statusCode(), "request " + i + ": " + response.body());
            String instance = LocalCluster.json(response.body()).getString("instance");
            assertTrue(otherHosts.contains(instance), "request " + i + " answered by " + instance + ", not one of " + otherHosts);
        }
        // no command: its supervisor starts it again, and the readiness gate puts it back once ready
        assertTrue(eventually(Duration.ofSeconds(120), () -> "ready".equals(cluster.component(victimHost).getString("state"))),
                victimHost + " is ready again by itself");
        assertNotEquals(victim.pid(), instance(victimHost).pid(), victimHost + " runs as a new process");
    }

    @Test
    void aStoppingInstanceTurnsNewRequestsAwayAndNginxSendsThemToTheOther() {
        assertFalse(otherHosts.isEmpty(), "a second app host to take over: " + cluster.appHosts());
        victim = instance(victimHost);
        assertTrue(victim.destroy(), "SIGTERM sent to " + victimHost);

        // its shutdown grace period: not ready, and a JSON 503 before anything is written
        assertTrue(eventually(Duration.ofSeconds(2), () -> cluster.sendTo(victimHost, "GET", "/health/ready").statusCode() == 503),
                victimHost + " reports not ready once it has the signal");
        HttpResponse<String> refused = cluster.sendTo(victimHost, "POST", "/app");
        assertEquals(503, refused.statusCode(), refused.body());
        assertEquals("shutting_down", LocalCluster.json(refused.body()).getString("error"));

        // through nginx, until the instance has exited and a while after: every request is recorded
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        int sentAfterExit = 0;
        for (int i = 0; sentAfterExit < 30 && System.nanoTime() < deadline; i++) {
            HttpResponse<String> response = cluster.post();
            assertEquals(201, response.statusCode(), "request " + i + ": " + response.body());
            if (!victim.isAlive()) {
                sentAfterExit++;
            }
        }
        assertFalse(victim.isAlive(), victimHost + " exited within 30 s of SIGTERM");
    }

    private ProcessHandle instance(String host) {
        long pid = cluster.component(host).getJsonNumber("pid").longValue();
        return ProcessHandle.of(pid).orElseThrow();
    }

    @AfterEach
    void bringTheInstanceBack() throws Exception {
        // a stopping instance still runs for its grace period, and `up` leaves a running one alone;
        // one that exited cleanly (SIGTERM) is not restarted by its supervisor: `up` starts it
        if (victim != null) {
            victim.onExit().get(60, TimeUnit.SECONDS);
        }
        cluster.stack("up");
        assertEquals("ready", cluster.component(victimHost).getString("state"));
    }
}
