package com.timestamps.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How the cluster tests read {@code ./stack config}: on a made-up answer, without a cluster. */
class ClusterConfigTest {

    // other names, addresses and ports than the local cluster's, so nothing can lean on a copy
    private static final String CONFIG = """
            {"environment": "test",
             "hosts": [
               {"name": "m-1", "kind": "mysql", "zone": "a", "address": "192.0.2.11"},
               {"name": "m-2", "kind": "mysql", "zone": "b", "address": "192.0.2.12"},
               {"name": "app-x", "kind": "app", "zone": "a", "address": "192.0.2.21"},
               {"name": "app-y", "kind": "app", "zone": "b", "address": "192.0.2.22"},
               {"name": "edge", "kind": "lb", "zone": "a", "address": "192.0.2.1"}],
             "ports": {"mysql": 13306, "router_rw": 16446, "app_http": 18080, "edge_http": 8000}}
            """;

    private final ClusterConfig config = ClusterConfig.parse(CONFIG);

    @Test
    void hostsOfEachKindInTheConfigurationsOrder() {
        assertEquals(List.of("m-1", "m-2"), config.dbMembers());
        assertEquals(List.of("app-x", "app-y"), config.appHosts());
        assertEquals(List.of("edge"), config.hostsOf("lb"));
        assertEquals("192.0.2.22", config.address("app-y"));
        assertEquals(16446, config.port("router_rw"));
    }

    @Test
    void theEdgeIsTheLbHostAtTheEdgeHttpPortUnlessOverridden() {
        assertEquals("http://192.0.2.1:8000", config.edgeUrl(null));
        assertEquals("http://192.0.2.1:8000", config.edgeUrl(""));
        assertEquals("http://192.0.2.1:8081", config.edgeUrl("8081"));
    }

    @Test
    void unknownNamesAndOtherOutputFailTheTest() {
        assertThrows(AssertionError.class, () -> config.address("db-a"));
        assertThrows(AssertionError.class, () -> config.port("nope"));
        assertThrows(AssertionError.class, () -> ClusterConfig.parse("error: reading chef/ failed"));
        assertThrows(AssertionError.class, () -> ClusterConfig.parse("{\"hosts\": []}"));
    }
}
