package com.timestamps.cluster;

import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.StringReader;
import java.util.List;

/**
 * The local cluster's settings as {@code ./stack config} prints them: environment {@code local}
 * merged with the cookbooks' attributes (stack.d/config.rb). The cluster tests take every host
 * name, address and port from here, never from a copy of their own.
 */
final class ClusterConfig {

    private final JsonObject json;

    private ClusterConfig(JsonObject json) {
        this.json = json;
    }

    /** Parses the JSON of {@code ./stack config}; fails the test if it is not the cluster's settings. */
    static ClusterConfig parse(String text) {
        JsonObject json;
        try (JsonReader reader = Json.createReader(new StringReader(text))) {
            json = reader.readObject();
        } catch (JsonException | IllegalStateException e) {
            throw new AssertionError("./stack config printed no JSON object: " + e.getMessage(), e);
        }
        if (!json.containsKey("hosts") || !json.containsKey("ports")) {
            throw new AssertionError("./stack config printed no hosts and ports: " + text);
        }
        return new ClusterConfig(json);
    }

    /** Names of the hosts of one kind (mysql, app, lb), in the configuration's order. */
    List<String> hostsOf(String kind) {
        return hosts().stream().filter(h -> kind.equals(h.getString("kind")))
                .map(h -> h.getString("name")).toList();
    }

    /** The Group Replication members. */
    List<String> dbMembers() {
        return hostsOf("mysql");
    }

    List<String> appHosts() {
        return hostsOf("app");
    }

    String address(String host) {
        return hosts().stream().filter(h -> host.equals(h.getString("name"))).findFirst()
                .map(h -> h.getString("address"))
                .orElseThrow(() -> new AssertionError("no host " + host + " in ./stack config"));
    }

    /** A port of {@code ports} (mysql, router_rw, app_http, edge_http, ...). */
    int port(String name) {
        JsonObject ports = json.getJsonObject("ports");
        if (!ports.containsKey(name)) {
            throw new AssertionError("no port " + name + " in ./stack config");
        }
        return ports.getInt(name);
    }

    /**
     * The edge (nginx) as {@code http://ADDRESS:PORT}: the lb host's address and the edge_http
     * port, or {@code httpPortOverride} (STACK_HTTP_PORT, the port ./stack's nginx then listens on).
     */
    String edgeUrl(String httpPortOverride) {
        List<String> lb = hostsOf("lb");
        if (lb.isEmpty()) {
            throw new AssertionError("no host of kind lb in ./stack config");
        }
        int port = httpPortOverride == null || httpPortOverride.isBlank()
                ? port("edge_http") : Integer.parseInt(httpPortOverride.strip());
        return "http://" + address(lb.get(0)) + ":" + port;
    }

    private List<JsonObject> hosts() {
        return json.getJsonArray("hosts").getValuesAs(JsonObject.class);
    }
}
