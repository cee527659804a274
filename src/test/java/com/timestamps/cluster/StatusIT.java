package com.timestamps.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** {@code ./stack status --json} tells the truth: it is checked against the processes and members themselves. */
class StatusIT {

    private final LocalCluster cluster = new LocalCluster();

    @Test
    void statusShowsTheWholeHealthyClusterAsItReallyIs() {
        List<JsonObject> components = cluster.status().getJsonArray("components").getValuesAs(JsonObject.class);
        Map<String, Long> kinds = components.stream().collect(Collectors.groupingBy(c -> c.getString("kind"), Collectors.counting()));
        // one mysqld and its keeper per member; a Router, an instance and its liveness watchdog per
        // app host; nginx and its readiness gate per edge; the binlog archiver per backup host, the
        // rsync daemon per vault (./stack config)
        ClusterConfig config = LocalCluster.config();
        long members = config.dbMembers().size();
        long apps = config.appHosts().size();
        long edges = config.hostsOf("lb").size();
        long backups = config.hostsOf("backup").size();
        long vaults = config.hostsOf("vault").size();
        assertEquals(Map.of("mysql", members, "keeper", members, "router", apps, "app", apps, "liveness", apps,
                "nginx", edges, "gate", edges, "archiver", backups, "vault", vaults), kinds);

        for (JsonObject c : components) {
            String name = c.getString("name");
            long pid = c.getJsonNumber("pid").longValue();
            assertTrue(Files.exists(Path.of("/proc", Long.toString(pid))), name + ": pid " + pid + " is not a live process");
            // every process runs under the supervisor
            assertEquals("up", c.getString("supervisor"), name);
            switch (c.getString("kind")) {
                case "mysql" -> {
                    assertEquals("ONLINE", c.getString("state"), name);
                    // the member's own view of its role must match what status reports
                    String role = cluster.query(name, "SELECT MEMBER_ROLE FROM performance_schema.replication_group_members"
                            + " WHERE MEMBER_ID = @@server_uuid");
                    assertEquals(role, c.getString("role"), name);
                    assertEquals("ts-" + name, netnsOf(pid), name + " runs in its own network namespace");
                }
                case "app" -> {
                    assertEquals("ready", c.getString("state"), name);
                    assertEquals("ts-" + name, netnsOf(pid), name);
                }
                case "router" -> assertEquals("up", c.getString("state"), name);
                case "nginx" -> assertEquals("up", c.getString("state"), name);
                case "keeper" -> assertEquals("online", c.getString("state"), name);
                case "liveness" -> assertEquals("ts-" + "app-" + name.substring("liveness-".length()), netnsOf(pid), name);
                case "gate" -> assertEquals("all", c.getString("state"), name + ": every app instance in rotation");
                case "archiver" -> {
                    assertEquals("streaming", c.getString("state"), name);
                    // it reads from a member, never from itself
                    assertTrue(config.dbMembers().contains(c.getString("role")), name + " streams from a member");
                    assertEquals("ts-" + config.hostsOf("backup").get(0), netnsOf(pid), name + " runs on the backup host");
                }
                case "vault" -> {
                    assertEquals("up", c.getString("state"), name + " listens");
                    assertEquals("ts-" + config.hostsOf("vault").get(0), netnsOf(pid), name + " runs on the vault host");
                }
                default -> throw new AssertionError("unknown kind " + c);
            }
        }
        long primaries = components.stream().filter(c -> "PRIMARY".equals(c.getString("role", null))).count();
        assertEquals(1, primaries, "exactly one PRIMARY");
    }

    private static String netnsOf(long pid) {
        return LocalCluster.run(List.of("ip", "netns", "identify", Long.toString(pid))).strip();
    }
}
