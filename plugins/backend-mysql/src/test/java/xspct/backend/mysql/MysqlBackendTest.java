package xspct.backend.mysql;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import xspct.api.Backend;
import xspct.api.BackendEntry;
import xspct.api.BackendResult;
import xspct.api.LookupRequest;
import xspct.api.QueryContext;
import xspct.api.ResourceGauges;
import xspct.core.config.ConfigFile;
import xspct.core.config.YamlNode;

class MysqlBackendTest {
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final AtomicInteger statements = new AtomicInteger();
    private TestDatabase db;

    @BeforeEach
    void tables() throws Exception {
        db = TestDatabase.connect();
        closing.add(db);
        db.exec("CREATE TABLE {p}users (email VARCHAR(200) PRIMARY KEY, uid VARCHAR(50), alias VARCHAR(200), "
                        + "quota INT, big BIGINT UNSIGNED, price DECIMAL(6,2), ratio DOUBLE, created DATETIME, "
                        + "avatar BLOB, note VARCHAR(20), prio INT)",
                "INSERT INTO {p}users VALUES "
                        + "('alice@ex.de', 'alice', 'alias@ex.de', 100, 18446744073709551615, 12.50, 0.25, "
                        + "'2024-01-02 03:04:05', x'c3a4', NULL, 5), "
                        + "('bob@ex.de', 'bob', NULL, 200, 1, 1.00, 1, '2024-01-02 03:04:05', NULL, '100%', 4), "
                        + "('@ex.de', 'catchall-ex', NULL, 0, 0, 0, 0, NULL, NULL, NULL, 1), "
                        + "('carol@other.de', 'carol', NULL, 300, 0, 0, 0, NULL, NULL, NULL, 3), "
                        + "('x_y@ex.de', 'xy', NULL, 0, 0, 0, 0, NULL, NULL, NULL, 2)");
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    // ------------------------------------------------------------------ helpers

    record Created(Backend backend, List<String> problems) {
    }

    private Created create(String section, UnaryOperator<DataSource> decorate) {
        StringBuilder yaml = new StringBuilder("xspct_db_queries:\n  q:\n");
        section.replace("{p}", db.prefix).lines().forEach(l -> yaml.append("    ").append(l).append('\n'));
        YamlNode root = ConfigFile.parse("test", yaml.toString());
        Backend b = MysqlBackend.create(new QueryContext("q", root.get("xspct_db_queries").get("q"), root),
                decorate);
        closing.add(b);
        return new Created(b, ConfigFile.problemsOf(root).list());
    }

    private Backend backend(String query, String extra) {
        Created c = create(section(TestDatabase.PORT, query) + extra, TestDatabase.counting(statements));
        assertEquals(List.of(), c.problems());
        return c.backend();
    }

    private static String section(int port, String query) {
        return """
                db_type: mysql
                server: 127.0.0.1
                port: %d
                user: root
                password: ""
                database: test
                query: "%s"
                query_replace: {"%%u": address, "%%d": domain, "%%l": userpart}
                connect_timeout: 1
                query_timeout: 2
                """.formatted(port, query.replace("\"", "\\\""));
    }

    private static List<LookupRequest> batch(String... addresses) {
        return Arrays.stream(addresses).map(LookupRequest::forAddress).toList();
    }

    private static List<BackendEntry.Found> found(BackendResult r) {
        assertEquals(Optional.empty(), r.error());
        return r.entries().stream().map(BackendEntry.Found.class::cast).toList();
    }

    /** Owner index to the uid of the row attributed to it. */
    private static Map<Integer, String> owners(BackendResult r) {
        Map<Integer, String> out = new TreeMap<>();
        for (BackendEntry.Found f : found(r)) {
            for (Integer o : f.owners()) {
                out.put(o, (String) f.attributes().get("uid"));
            }
        }
        return out;
    }

    private static BackendResult lookupUntil(Backend b, List<LookupRequest> batch, Predicate<BackendResult> done)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        BackendResult r;
        do {
            r = b.lookup(batch);
            if (done.test(r)) {
                return r;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        return r;
    }

    // ------------------------------------------------------------------ lookups

    @Test
    void oneStatementPerBatchWithQuotedAffixAndCatchAll() throws Exception {
        Backend b = backend("SELECT * FROM {p}users WHERE email = '%u' OR email = '@%d' ORDER BY prio DESC", "");
        statements.set(0);
        BackendResult r = b.lookup(batch("alice@ex.de", "nobody@ex.de", "Carol@Other.DE", "ghost@none.de",
                "bob@ex.de"));
        assertEquals(1, statements.get(), "one statement for the whole batch");
        // the catch-all answers nobody@ex.de only: alice and bob have their own rows
        assertEquals(Map.of(0, "alice", 1, "catchall-ex", 2, "carol", 4, "bob"), owners(r));
        // ORDER BY applies to the batch
        assertEquals(List.of("alice", "bob", "carol", "catchall-ex"),
                found(r).stream().map(f -> (String) f.attributes().get("uid")).distinct().toList());
    }

    @Test
    void bareAndQuotedPlaceholdersBindTheSameWay() throws Exception {
        for (String q : List.of("SELECT * FROM {p}users WHERE email = %u", "SELECT * FROM {p}users WHERE email = '%u'",
                "SELECT * FROM {p}users WHERE email = '%l@%d'")) {
            Backend b = backend(q, "");
            assertEquals(Map.of(0, "alice", 1, "carol"), owners(b.lookup(batch("alice@ex.de", "carol@other.de"))), q);
        }
    }

    @Test
    void aliasAndPrimaryResolveToTheSameRow() throws Exception {
        Backend b = backend("SELECT * FROM {p}users WHERE email = %u OR alias = %u", "");
        assertEquals(Map.of(0, "alice", 1, "alice"), owners(b.lookup(batch("alias@ex.de", "alice@ex.de"))));
    }

    @Test
    void chainedRowsGoToEveryRequestWithTheValue() throws Exception {
        Backend b = backend("SELECT * FROM {p}users WHERE email = '@%d'", "");
        // as the dispatcher builds chained requests: the chained value is "ex.de", no '@'
        var chained = List.of(new LookupRequest("ex.de", "ex.de", "ex.de", "ex.de", List.of("ex.de")),
                new LookupRequest("ex.de", "ex.de", "ex.de", "ex.de", List.of("ex.de")));
        statements.set(0);
        BackendResult r = b.lookup(chained);
        assertEquals(1, statements.get());
        assertEquals(Map.of(0, "catchall-ex", 1, "catchall-ex"), owners(r));
    }

    @Test
    void injectionAttemptsFindNothing() throws Exception {
        Backend quoted = backend("SELECT * FROM {p}users WHERE email = '%u'", "");
        Backend bare = backend("SELECT * FROM {p}users WHERE email = %u", "");
        for (String evil : List.of("x' OR '1'='1", "' OR 1=1 -- ", "x\\' OR 1=1 #", "1 OR 1=1",
                "x'; DROP TABLE " + db.prefix + "users; --", "\" OR \"\"=\"")) {
            assertEquals(List.of(), found(quoted.lookup(batch(evil))), evil);
            assertEquals(List.of(), found(bare.lookup(batch(evil))), evil);
        }
        assertEquals(Map.of(0, "alice"), owners(quoted.lookup(batch("alice@ex.de"))), "table still there");
    }

    @Test
    void likeMetacharactersInAddressesMatchOnlyThemselves() throws Exception {
        Backend b = backend("SELECT * FROM {p}users WHERE email LIKE '%%@%d' AND email LIKE '%l@%%'", "");
        // '_' would match any character and '%' anything without escaping
        assertEquals(List.of(), found(b.lookup(batch("%@ex.de", "x%@e_.de", "_lice@ex.de"))));
        assertEquals(Map.of(0, "xy"), owners(b.lookup(batch("x_y@ex.de"))));
        Backend like = backend("SELECT * FROM {p}users WHERE email LIKE %u", "");
        assertEquals(List.of(), found(like.lookup(batch("%", "_ob@ex.de"))));
        assertEquals(Map.of(0, "bob"), owners(like.lookup(batch("bob@ex.de"))));
    }

    @Test
    void doublePercentIsALiteralPercent() throws Exception {
        Backend b = backend("SELECT * FROM {p}users WHERE email = %u AND note = '100%%'", "");
        assertEquals(Map.of(1, "bob"), owners(b.lookup(batch("alice@ex.de", "bob@ex.de"))));
    }

    @Test
    void columnValuesAreRenderedCanonically() throws Exception {
        Backend b = backend("SELECT * FROM {p}users WHERE email = %u", "");
        List<BackendEntry.Found> f = found(b.lookup(batch("alice@ex.de")));
        Map<String, Object> row = f.get(0).attributes();
        assertEquals(100L, row.get("quota"));
        assertEquals(new java.math.BigInteger("18446744073709551615"), row.get("big"));
        assertEquals("12.50", row.get("price"));
        assertEquals("0.25", row.get("ratio"));
        assertEquals("2024-01-02 03:04:05", row.get("created"));
        assertArrayEquals("ä".getBytes(StandardCharsets.UTF_8), (byte[]) row.get("avatar"));
        assertNull(row.get("note"));
        assertTrue(row.containsKey("note"));
        assertEquals(List.of("email", "uid", "alias", "quota", "big", "price", "ratio", "created", "avatar", "note",
                "prio"), new ArrayList<>(row.keySet()));
    }

    @Test
    void sqlErrorIsAQueryError() throws Exception {
        Backend b = backend("SELECT * FROM {p}missing WHERE email = %u", "");
        assertEquals(Optional.of("500 MySQL query error"), lookupUntil(b, batch("alice@ex.de"),
                r -> !r.error().equals(Optional.of(MysqlBackend.CONNECTION_ERROR))).error());
    }

    // ------------------------------------------------------------------ configuration

    @Test
    void missingKeysAreNamedAndAliasesAccepted() {
        Created c = create("db_type: mysql\nquery_replace: {\"%u\": mailbox}\n", ds -> ds);
        String all = String.join("\n", c.problems());
        for (String key : List.of("q.server", "q.user", "q.database", "q.query", "q.query_replace.%u")) {
            assertTrue(all.contains(key), key + " not named in: " + all);
        }
        Created aliases = create("""
                db_type: mysql
                host: 127.0.0.1
                user: root
                db: test
                query: "SELECT * FROM {p}users WHERE email = %u"
                query_replace: {"%u": address}
                """, ds -> ds);
        assertEquals(List.of(), aliases.problems());
    }

    @Test
    void templateProblemsAreReported() {
        Created c = create(section(TestDatabase.PORT, "SELECT '%u' FROM {p}users WHERE email = %u")
                .replace("query_timeout: 2", "query_timeout: 0") + "pool_maxconn: 0\n", ds -> ds);
        String all = String.join("\n", c.problems());
        assertTrue(all.contains("q.query") && all.contains("outside the WHERE"), all);
        assertTrue(all.contains("q.query_timeout"), all);
        assertTrue(all.contains("q.pool_maxconn"), all);
    }

    @Test
    void wrongPasswordIsLoggedOnceClearlyWithoutThePassword() throws Exception {
        java.util.logging.Logger jul = java.util.logging.Logger.getLogger(MysqlBackend.class.getName());
        List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler h = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                lines.add(r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        jul.addHandler(h);
        try {
            Created c = create(section(TestDatabase.PORT, "SELECT * FROM {p}users WHERE email = %u")
                    .replace("password: \"\"", "password: \"wrong-pw-456\""), ds -> ds);
            assertEquals(Optional.of("500 MySQL connection error"), c.backend().lookup(batch("alice@ex.de")).error());
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (lines.stream().noneMatch(l -> l.contains("MySQL refused")) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            List<String> refused = lines.stream().filter(l -> l.contains("MySQL refused")).toList();
            assertEquals(1, refused.size(), lines.toString());
            assertTrue(refused.get(0).contains("root@127.0.0.1:3306/test"), refused.get(0));
            assertTrue(lines.stream().noneMatch(l -> l.contains("wrong-pw-456")), lines.toString());
        } finally {
            jul.removeHandler(h);
        }
    }

    // ------------------------------------------------------------------ outages

    @Test
    void unreachableAtStartThenRecovers() throws Exception {
        TcpProxy proxy = new TcpProxy(TestDatabase.PORT);
        closing.add(proxy);
        Created c = create(section(proxy.port(), "SELECT * FROM {p}users WHERE email = %u"), ds -> ds);
        assertEquals(List.of(), c.problems());
        long start = System.nanoTime();
        assertEquals(Optional.of("500 MySQL connection error"), c.backend().lookup(batch("alice@ex.de")).error());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos());
        proxy.start();
        assertEquals(Map.of(0, "alice"), owners(lookupUntil(c.backend(), batch("alice@ex.de"),
                r -> r.error().isEmpty())));
    }

    @Test
    void outageAndHangAreBoundedAndRecovered() throws Exception {
        TcpProxy proxy = new TcpProxy(TestDatabase.PORT).start();
        closing.add(proxy);
        Created c = create(section(proxy.port(), "SELECT * FROM {p}users WHERE email = %u")
                .replace("query_timeout: 2", "query_timeout: 1"), ds -> ds);
        Backend b = c.backend();
        assertEquals(Map.of(0, "alice"), owners(lookupUntil(b, batch("alice@ex.de"), r -> r.error().isEmpty())));

        proxy.stop();
        assertEquals(Optional.of("500 MySQL connection error"), b.lookup(batch("alice@ex.de")).error());
        proxy.start();
        assertEquals(Map.of(0, "bob"), owners(lookupUntil(b, batch("bob@ex.de"), r -> r.error().isEmpty())));

        proxy.hang();
        long start = System.nanoTime();
        BackendResult hung = b.lookup(batch("alice@ex.de"));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(Optional.of("500 MySQL connection error"), hung.error());
        assertTrue(millis < 10_000, "took " + millis + " ms");
        proxy.resume();
        assertEquals(Map.of(0, "carol"), owners(lookupUntil(b, batch("carol@other.de"), r -> r.error().isEmpty())));
    }

    @Test
    void gaugesDescribeThePool() throws Exception {
        Backend b = backend("SELECT * FROM {p}users WHERE email = %u", "pool_maxconn: 3\n");
        found(b.lookup(batch("alice@ex.de")));
        ResourceGauges pool = assertInstanceOf(ResourceGauges.class, b);
        // the start-up probe may still wait for or hold its connection for a moment
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Map<String, Number> g = pool.gauges();
        // one snapshot per check: the probe may take a connection between two reads
        while ((g.get("active").intValue() != 0 || g.get("waiting").intValue() != 0)
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
            g = pool.gauges();
        }
        assertEquals(0, g.get("active").intValue());
        assertEquals(0, g.get("waiting").intValue());
        assertTrue(g.get("total").intValue() >= 1 && g.get("total").intValue() <= 3, g.toString());
    }
}
