package xspct.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static xspct.distribution.SnapshotSetup.AUTH;
import static xspct.distribution.SnapshotSetup.await;
import static xspct.distribution.SnapshotSetup.awaitLog;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Edge snapshots of a MariaDB central ({@code snapshot_list_query}): a primary edge answers all three endpoints
 * with the central's bytes for every listed address, also once the central is stopped; a
 * fallback edge whose own database connection fails answers from the snapshot, and from its database again once it
 * is back. The database is the real MariaDB on 127.0.0.1:3306 (a table with a unique name); the edge's outage is a
 * proxy the test stops.
 */
class SnapshotMariaDbIT {
    private static final String SOURCE = "X-Xspct-Source";
    private final String table = "snap" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());

    @BeforeEach
    void createTable() {
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            rows.append(i == 0 ? "" : ", ").append("('user").append(i).append("@example.org', 'alias").append(i)
                    .append("@example.org', ").append(100 + i).append(")");
        }
        MariaDb.exec("CREATE TABLE test." + table + " (mail VARCHAR(200) PRIMARY KEY, alias VARCHAR(200), quota INT); "
                + "INSERT INTO test." + table + " VALUES " + rows);
    }

    @AfterEach
    void dropTable() {
        MariaDb.exec("DROP TABLE IF EXISTS test." + table);
    }

    private String query(int port) {
        return """
                xspct_db_api_key: k
                xspct_db_queries:
                  users:
                    db_type: mysql
                    server: 127.0.0.1
                    port: %d
                    user: root
                    password: ""
                    database: test
                    query: "SELECT mail, alias, quota FROM %s WHERE mail = %%u OR alias = %%u"
                    query_replace: {"%%u": address}
                    snapshot_list_query: "SELECT mail FROM %s UNION SELECT alias FROM %s"
                    connect_timeout: 1
                    query_timeout: 2
                """.formatted(port, table, table, table);
    }

    private static List<String> addresses() {
        List<String> out = new ArrayList<>(List.of("nobody@example.org"));
        for (int i = 0; i < 50; i++) {
            out.add("user" + i + "@example.org");
            out.add("alias" + i + "@example.org");
        }
        return out;
    }

    private static String json(String address) {
        return "{\"users\": [\"" + address + "\"]}";
    }

    private static String rspamd(String from, String rcpt) {
        return "{\"from\": \"" + from + "\", \"rcpts\": [\"" + rcpt + "\"]}";
    }

    /**
     * The answers of all three endpoints for every address (and the whole list in one query-json), by request,
     * each checked for the snapshot's header. An Rspamd request names one user (sender and recipient): with
     * several, the central lists them in the order its backend returned them, the edge in the order of the request.
     */
    private static Map<String, String> answers(RunningServer s, boolean fromSnapshot) {
        Map<String, String> out = new LinkedHashMap<>();
        List<HttpResponse<String>> all = new ArrayList<>();
        List<String> addresses = addresses();
        for (int i = 0; i < addresses.size(); i++) {
            String a = addresses.get(i);
            HttpResponse<String> get = s.get("/v1/query/" + a, AUTH);
            HttpResponse<String> batch = s.post("/v1/query-json", json(a), AUTH);
            HttpResponse<String> settings = s.post("/v1/rspamd-settings", rspamd(a, a), AUTH);
            out.put("GET " + a, get.statusCode() + " " + get.body());
            out.put("query-json " + a, batch.statusCode() + " " + batch.body());
            out.put("rspamd-settings " + a, settings.statusCode() + " " + settings.body());
            all.addAll(List.of(get, batch, settings));
        }
        String every = "{\"users\": [" + String.join(", ", addresses.stream().map(a -> "\"" + a + "\"").toList())
                + "]}";
        HttpResponse<String> batch = s.post("/v1/query-json", every, AUTH);
        out.put("query-json all", batch.statusCode() + " " + batch.body());
        all.add(batch);
        for (HttpResponse<String> r : all) {
            assertEquals(fromSnapshot, r.headers().firstValue(SOURCE).orElse("").startsWith("snapshot/"),
                    r.request().uri() + " " + r.headers().map());
        }
        return out;
    }

    /** Compares answer by answer, so that a failure names the request rather than printing every answer. */
    private static void assertSameAnswers(Map<String, String> expected, Map<String, String> actual, String what) {
        assertEquals(expected.keySet(), actual.keySet(), what);
        expected.forEach((request, answer) -> assertEquals(answer, actual.get(request), what + ": " + request));
    }

    @Test
    void edgesOfAMariaDbCentralInPrimaryAndFallbackMode() throws Exception {
        Distribution dist = Distribution.shared();
        SnapshotSetup setup = SnapshotSetup.create("snapshot-mariadb");
        // the central answers from its backends only: a GET answered from a cache is keyed by the requested address
        Path centralConfig = dist.writeConfig("central-mariadb.yml", Distribution.TEST_LISTENER + query(3306)
                + "xspct_db_local_cache: {enabled: false}\n" + setup.publish(3600, ""));
        try (RunningServer central = RunningServer.start(dist, centralConfig);
             DatabaseProxy proxy = new DatabaseProxy(3306).start()) {
            awaitLog(central, "published", 1);
            assertTrue(central.stdout().contains("100 addresses"), central.stdout());
            Path primaryConfig = dist.writeConfig("edge-mariadb-primary.yml", Distribution.TEST_LISTENER
                    + "xspct_db_api_key: k\n" + setup.subscribe("mariadb-primary", central.port(), "primary", 3600,
                    86400));
            Path fallbackConfig = dist.writeConfig("edge-mariadb-fallback.yml", Distribution.TEST_LISTENER
                    + query(proxy.port()) + "xspct_db_local_cache: {enabled: false}\n"
                    + setup.subscribe("mariadb-fallback", central.port(), "fallback", 3600, 86400));
            try (RunningServer primary = RunningServer.start(dist, primaryConfig);
                 RunningServer fallback = RunningServer.start(dist, fallbackConfig)) {
                awaitLog(primary, " serves", 1);
                awaitLog(fallback, " serves", 1);
                Map<String, String> expected = answers(central, false);
                assertTrue(expected.get("GET user7@example.org").contains("\"quota\": [\"107\"]"),
                        "the test data is complete: " + expected.get("GET user7@example.org"));
                assertTrue(expected.get("rspamd-settings alias7@example.org").contains("\"quota\": [\"107\"]"),
                        expected.get("rspamd-settings alias7@example.org"));
                assertSameAnswers(expected, answers(primary, true), "the primary edge answers with the same bytes");
                for (String a : addresses()) {
                    HttpResponse<String> c = central.get("/v1/query/" + a, AUTH);
                    HttpResponse<String> f = fallback.get("/v1/query/" + a, AUTH);
                    assertEquals(c.body(), f.body(), a);
                    assertEquals("", f.headers().firstValue(SOURCE).orElse(""), "the database answers");
                }

                proxy.stop(); // the edge's site loses its database
                HttpResponse<String> down = fallback.get("/v1/query/alias7@example.org", AUTH);
                assertEquals(200, down.statusCode(), down.body());
                assertEquals(central.get("/v1/query/alias7@example.org", AUTH).body(), down.body());
                assertEquals("snapshot/" + SnapshotSetup.serving(fallback),
                        down.headers().firstValue(SOURCE).orElse(""));
                HttpResponse<String> batch = fallback.post("/v1/query-json",
                        "{\"users\": [\"user1@example.org\", \"alias2@example.org\"]}", AUTH);
                assertTrue(batch.headers().firstValue(SOURCE).isPresent(), batch.headers().map().toString());
                assertEquals(central.post("/v1/query-json", "{\"users\": [\"user1@example.org\", "
                        + "\"alias2@example.org\"]}", AUTH).body(), batch.body());

                proxy.start(); // back
                await(() -> fallback.get("/v1/query/user3@example.org", AUTH).headers().firstValue(SOURCE)
                        .isEmpty(), () -> "answers from the database again\n" + fallback.stdout());
                assertEquals(central.get("/v1/query/user3@example.org", AUTH).body(),
                        fallback.get("/v1/query/user3@example.org", AUTH).body());

                assertEquals(0, central.stop()); // the edges' link to their central is gone
                assertSameAnswers(expected, answers(primary, true), "the primary edge answers without its central");
            }
        }
    }
}
