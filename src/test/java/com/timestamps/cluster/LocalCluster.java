package com.timestamps.cluster;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The running local cluster, as a test sees it: HTTP through nginx, and the {@code ./stack}
 * command for status, the MySQL client on each member, and bringing components back. Its
 * hosts, addresses and ports are the ones {@code ./stack config} prints (Chef's), read once.
 * {@code ./stack test} exports STACK_URL and STACK_COMMAND before it runs Maven; without
 * STACK_URL the tests go to the edge that {@code ./stack config} names.
 */
final class LocalCluster {

    private static final Path STACK_COMMAND = Path.of(System.getenv().getOrDefault("STACK_COMMAND", "./stack"));
    private static ClusterConfig config;

    private final URI baseUri = edge();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    HttpResponse<String> send(String method, String path, String body, String... headers) {
        return send(baseUri.resolve(path), method, body, headers);
    }

    /**
     * A request to one app instance directly, at its host's address and the app's HTTP port in
     * {@code ./stack config} (read once: no {@code ./stack status} between a signal and the request).
     */
    HttpResponse<String> sendTo(String appHost, String method, String path) {
        String address = config().address(appHost) + ":" + config().port("app_http");
        return send(URI.create("http://" + address + path), method, null);
    }

    private HttpResponse<String> send(URI uri, String method, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            request.headers(headers);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError(method + " " + uri + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    HttpResponse<String> post() {
        return send("POST", "/app", null);
    }

    /** The cluster's settings: {@code ./stack config}, run once for all the tests. */
    static synchronized ClusterConfig config() {
        if (config == null) {
            config = ClusterConfig.parse(run(List.of(STACK_COMMAND.toString(), "config")));
        }
        return config;
    }

    /** STACK_URL, or else the edge of {@code ./stack config} (at STACK_HTTP_PORT if that is set). */
    private static URI edge() {
        String url = System.getenv("STACK_URL");
        return URI.create(url != null && !url.isBlank() ? url : config().edgeUrl(System.getenv("STACK_HTTP_PORT")));
    }

    /** The MySQL Group Replication members, by host name. */
    List<String> dbMembers() {
        return config().dbMembers();
    }

    /** The app hosts; each runs one instance, named like its host in every response. */
    List<String> appHosts() {
        return config().appHosts();
    }

    /** Runs {@code ./stack ARGS...} and returns its standard output; fails the test on a non-zero exit. */
    String stack(String... args) {
        List<String> command = new ArrayList<>();
        command.add(STACK_COMMAND.toString());
        command.addAll(List.of(args));
        return run(command);
    }

    /** Runs a command and returns its standard output; fails the test on a non-zero exit. */
    static String run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(10, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish");
            }
            if (process.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " exited " + process.exitValue() + ": " + out);
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** One value from a member, as the MySQL client prints it in batch mode without headers. */
    String query(String member, String sql) {
        return stack("mysql", member, "-N", "-B", "-e", sql).strip();
    }

    JsonObject status() {
        return json(stack("status", "--json"));
    }

    JsonObject component(String name) {
        return status().getJsonArray("components").getValuesAs(JsonObject.class).stream()
                .filter(c -> c.getString("name").equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no component " + name + " in ./stack status"));
    }

    static JsonObject json(String text) {
        try (JsonReader reader = Json.createReader(new StringReader(text))) {
            return reader.readObject();
        }
    }

    /** Polls until the condition holds, for at most the given time; false if it never did. */
    static boolean eventually(Duration limit, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return condition.getAsBoolean();
    }
}
