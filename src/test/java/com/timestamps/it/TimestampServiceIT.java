package com.timestamps.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.File;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The packaged WAR in a real Payara Micro against a real MySQL (env TEST_DB_ADDRESS, default
 * 127.0.0.1:6446; the runtime password in env DB_PASSWORD), reached through a {@link TcpProxy}
 * the tests open and close. Payara starts while the proxy is closed: the database is
 * unreachable at deployment. Keys and ids are unique per run, so the tests can run again
 * against a database that keeps its data.
 */
@ExtendWith(ArquillianExtension.class)
@TestMethodOrder(OrderAnnotation.class)
class TimestampServiceIT {

    private static final Pattern TIMESTAMP = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}Z");
    private static final Duration READY_WAIT = Duration.ofSeconds(60);

    private static final String DB_ADDRESS = envOr("TEST_DB_ADDRESS", "127.0.0.1:6446");
    private static final TcpProxy DATABASE = new TcpProxy(
            Integer.getInteger("test.db.proxy.port", 16446), socketAddress(DB_ADDRESS));
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final URI base = URI.create("http://127.0.0.1:" + Integer.getInteger("test.http.port", 18080) + "/");

    /** The WAR that the build packaged, at the root context like in production. */
    @Deployment(testable = false)
    static WebArchive deployment() {
        return ShrinkWrap.create(ZipImporter.class, "ROOT.war")
                .importFrom(new File(System.getProperty("test.war", "target/timestamp-service.war")))
                .as(WebArchive.class);
    }

    @AfterAll
    static void closeProxy() {
        DATABASE.close();
    }

    @Test
    @Order(1)
    void deploysLiveButNotReadyWhileTheDatabaseIsUnreachable() throws Exception {
        assertEquals(200, get("/health/live").statusCode());
        assertEquals(200, get("/health/started").statusCode());
        assertEquals(503, get("/health/ready").statusCode());
        assertUnavailable(post("/app", List.of()));
    }

    @Test
    @Order(2)
    void becomesReadyWhenTheDatabaseAppears() throws Exception {
        DATABASE.open();
        awaitReady(200);
    }

    @Test
    @Order(4)
    void recordsATimestampAndReadsItBack() throws Exception {
        String key = "it-" + RUN + "-record";
        HttpResponse<String> created = post("/app", List.of("Idempotency-Key", key));

        assertEquals(201, created.statusCode(), created.body());
        JsonObject record = json(created);
        String id = record.getString("id");
        assertEquals(7, UUID.fromString(id).version());
        assertTrue(TIMESTAMP.matcher(record.getString("timestamp")).matches(), record.toString());
        assertEquals("arquillian", record.getString("instance"));
        assertEquals("/app/" + id, created.headers().firstValue("Location").orElseThrow());
        assertFalse(replayed(created));

        HttpResponse<String> read = get("/app/" + id);
        assertEquals(200, read.statusCode());
        assertEquals(record, json(read), "read back exactly as returned at creation");
        assertEquals(record, findInList(id), "listed exactly as returned at creation");
        assertEquals(1, rowsWithKey(key));
        assertEquals(record.getString("timestamp"), storedTimestamp(key), "returned exactly as stored");
    }

    @Test
    @Order(5)
    void aRepeatedKeyReturnsTheFirstRecordAndStoresNoSecondRow() throws Exception {
        String key = "it-" + RUN + "-repeat";
        HttpResponse<String> first = post("/app", List.of("Idempotency-Key", key));
        HttpResponse<String> again = post("/app", List.of("Idempotency-Key", key));

        assertEquals(201, first.statusCode());
        assertEquals(201, again.statusCode());
        assertEquals(json(first), json(again));
        assertEquals(first.headers().firstValue("Location"), again.headers().firstValue("Location"));
        assertEquals("true", again.headers().firstValue("Idempotent-Replayed").orElseThrow());
        assertEquals(1, rowsWithKey(key));
    }

    @Test
    @Order(6)
    void concurrentRequestsWithOneKeyStoreOneRow() throws Exception {
        String key = "it-" + RUN + "-concurrent";
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Callable<HttpResponse<String>>> requests = Collections.nCopies(8,
                    () -> post("/app", List.of("Idempotency-Key", key)));
            Set<JsonObject> bodies = new HashSet<>();
            int created = 0;
            for (Future<HttpResponse<String>> answer : clients.invokeAll(requests)) {
                assertEquals(201, answer.get().statusCode(), answer.get().body());
                bodies.add(json(answer.get()));
                created += replayed(answer.get()) ? 0 : 1;
            }
            assertEquals(1, bodies.size(), "every answer carries the one stored record");
            assertEquals(1, created, "one answer created the record, the others replayed it");
        } finally {
            clients.shutdownNow();
        }
        assertEquals(1, rowsWithKey(key));
    }

    @Test
    @Order(7)
    void concurrentRequestsShareWriteTransactionsAndEachKeyStillGetsOneRow() throws Exception {
        // 40 requests at once, every key twice: the group commit puts many of them into one
        // transaction, with repeated keys inside a batch and across batches
        int keys = 20;
        ExecutorService clients = Executors.newFixedThreadPool(2 * keys);
        try {
            List<Callable<HttpResponse<String>>> requests = new ArrayList<>();
            for (int i = 0; i < 2 * keys; i++) {
                String key = "it-" + RUN + "-burst-" + (i % keys);
                requests.add(() -> post("/app", List.of("Idempotency-Key", key)));
            }
            List<Future<HttpResponse<String>>> answers = clients.invokeAll(requests);
            Set<JsonObject> records = new HashSet<>();
            for (int k = 0; k < keys; k++) {
                HttpResponse<String> one = answers.get(k).get();
                HttpResponse<String> other = answers.get(k + keys).get();
                assertEquals(201, one.statusCode(), one.body());
                assertEquals(201, other.statusCode(), other.body());
                assertEquals(json(one), json(other), "both requests with a key answer its one record");
                assertEquals(1, Stream.of(one, other).filter(TimestampServiceIT::replayed).count(),
                        "one of the two created the record, the other replayed it");
                assertEquals(1, rowsWithKey("it-" + RUN + "-burst-" + k));
                records.add(json(one));
            }
            assertEquals(keys, records.size(), "every key has a record of its own");
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    @Order(8)
    void aRequestIdFromTheEdgeIsTheKeyAndAnInvalidOneIsIgnored() throws Exception {
        String requestId = RUN + "0123456789abcdef0123456789";
        HttpResponse<String> first = post("/app", List.of("X-Request-Id", requestId));
        HttpResponse<String> retried = post("/app", List.of("X-Request-Id", requestId));
        assertEquals(json(first), json(retried));
        assertEquals(1, rowsWithKey(requestId));

        assertEquals(201, post("/app", List.of("X-Request-Id", "not valid!")).statusCode());
    }

    @Test
    @Order(9)
    void anInvalidIdempotencyKeyIsRejected() throws Exception {
        assertError(400, "invalid_idempotency_key", post("/app", List.of("Idempotency-Key", "white space")));
        assertError(400, "invalid_idempotency_key", post("/app", List.of("Idempotency-Key", "k".repeat(129))));
    }

    @Test
    @Order(10)
    void everyErrorIsJson() throws Exception {
        assertError(404, "not_found", get("/app/" + UUID.randomUUID()));
        assertError(404, "not_found", get("/app/not-a-uuid"));
        assertError(404, "not_found", get("/nope"));
        assertError(400, "invalid_limit", get("/app?limit=0"));
        assertError(400, "invalid_limit", get("/app?limit=101"));
        assertError(400, "invalid_limit", get("/app?limit=ten"));
        assertError(400, "invalid_cursor", get("/app?cursor=bm90IGEgY3Vyc29y"));

        HttpResponse<String> delete = send(request("/app").DELETE());
        assertError(405, "method_not_allowed", delete);
        assertTrue(delete.headers().firstValue("Allow").orElseThrow().contains("POST"));

        assertError(406, "not_acceptable", send(request("/app").header("Accept", "application/xml").GET()));
        assertError(413, "payload_too_large", send(request("/app").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("[" + "0,".repeat(3000) + "0]"))));
        assertError(415, "unsupported_media_type", send(request("/app").header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("now please"))));
    }

    /** Runs before anything reached the database through JPA, so EclipseLink's first login fails. */
    @Test
    @Order(3)
    void aDatabaseOutageMakesItUnreadyAndItRecoversWithoutRestart() throws Exception {
        DATABASE.close();
        awaitReady(503);
        assertUnavailable(post("/app", List.of("Idempotency-Key", "it-" + RUN + "-outage")));

        DATABASE.open();
        awaitReady(200);
        String key = "it-" + RUN + "-after-outage";
        assertEquals(201, post("/app", List.of("Idempotency-Key", key)).statusCode());
        assertEquals(1, rowsWithKey(key));
        assertEquals(0, rowsWithKey("it-" + RUN + "-outage"));
    }

    private void assertUnavailable(HttpResponse<String> answer) {
        assertError(503, "database_unavailable", answer);
        assertTrue(answer.headers().firstValue("Retry-After").isPresent());
    }

    private static void assertError(int status, String code, HttpResponse<String> answer) {
        assertEquals(status, answer.statusCode(), answer.body());
        assertEquals("application/json", answer.headers().firstValue("Content-Type").orElseThrow());
        JsonObject error = json(answer);
        assertEquals(code, error.getString("error"));
        assertEquals(status, error.getInt("status"));
        assertNotNull(error.getString("message"));
    }

    private void awaitReady(int status) throws Exception {
        long deadline = System.nanoTime() + READY_WAIT.toNanos();
        int last;
        do {
            last = get("/health/ready").statusCode();
            if (last == status) {
                return;
            }
            Thread.sleep(250);
        } while (System.nanoTime() < deadline);
        fail("/health/ready still " + last + " after " + READY_WAIT + ", expected " + status);
    }

    /** Walks the list, newest first, until the record turns up. */
    private JsonObject findInList(String id) throws Exception {
        String path = "/app?limit=100";
        for (int page = 0; page < 20; page++) {
            JsonObject answer = json(get(path));
            for (JsonValue item : answer.getJsonArray("items")) {
                if (item.asJsonObject().getString("id").equals(id)) {
                    return item.asJsonObject();
                }
            }
            if (answer.isNull("next")) {
                break;
            }
            path = "/app?limit=100&cursor=" + answer.getString("next");
        }
        return fail("record " + id + " not in the list");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send(request(path).GET());
    }

    private HttpResponse<String> post(String path, List<String> headers) throws Exception {
        HttpRequest.Builder builder = request(path).POST(HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.size(); i += 2) {
            builder.header(headers.get(i), headers.get(i + 1));
        }
        return send(builder);
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The answer replays a record stored before (header {@code Idempotent-Replayed}). */
    private static boolean replayed(HttpResponse<String> answer) {
        return answer.headers().firstValue("Idempotent-Replayed").isPresent();
    }

    private static JsonObject json(HttpResponse<String> answer) {
        try (var reader = Json.createReader(new StringReader(answer.body()))) {
            return reader.readObject();
        }
    }

    private static int rowsWithKey(String key) throws SQLException {
        return Integer.parseInt(queryByKey("SELECT COUNT(*) FROM timestamp_record WHERE request_key = ?", key));
    }

    private static String storedTimestamp(String key) throws SQLException {
        return queryByKey("SELECT DATE_FORMAT(recorded_at, '%Y-%m-%dT%H:%i:%s.%fZ')"
                + " FROM timestamp_record WHERE request_key = ?", key);
    }

    /** First column of the first row, read straight from the database (not through the proxy). */
    private static String queryByKey(String sql, String key) throws SQLException {
        String url = "jdbc:mysql://" + DB_ADDRESS + "/timestamps?fallbackToSystemKeyStore=false";
        try (Connection connection = DriverManager.getConnection(url, envOr("DB_USER", "ts_app"), envOr("DB_PASSWORD", ""));
                PreparedStatement query = connection.prepareStatement(sql)) {
            query.setString(1, key);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        }
    }

    private static String envOr(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    private static InetSocketAddress socketAddress(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }
}
