package xspct.backend.mysql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import xspct.api.Backend;
import xspct.api.ChangeFeed;
import xspct.api.ChangeFeedContext;
import xspct.api.ChangeFeedException;
import xspct.api.ChangeFeedStateStore;
import xspct.api.ChangeSink;
import xspct.api.ChangeSource;
import xspct.api.Leadership;
import xspct.api.QueryContext;
import xspct.api.testing.Await;
import xspct.core.config.ConfigFile;
import xspct.core.config.YamlNode;

/** The mysql change feed against the real MariaDB: migrations, tailing, the lease, replay and refusals. */
class MysqlChangeFeedTest {
    private static final Duration DEADLINE = Duration.ofSeconds(10);
    /** Long enough that a loaded machine does not make a leader give up its lease (it does after two thirds). */
    private static final Duration LEASE_TTL = Duration.ofSeconds(4);
    private final List<AutoCloseable> closing = new ArrayList<>();
    private ChangeFeedDatabase db;

    @BeforeEach
    void database() throws Exception {
        db = ChangeFeedDatabase.create();
        closing.add(db);
        db.exec("CREATE TABLE policy (mail VARCHAR(200) PRIMARY KEY, alias VARCHAR(200), quota INT)",
                "INSERT INTO policy VALUES ('a@ex.de', 'alias-a@ex.de', 1), ('b@ex.de', NULL, 2)");
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Records what a feed reports. */
    static final class RecordingSink implements ChangeSink {
        final Set<String> evicted = ConcurrentHashMap.newKeySet();
        final AtomicInteger events = new AtomicInteger();
        final AtomicInteger flushes = new AtomicInteger();
        /** Evictions to refuse, as a shared cache does while its store is unreachable. */
        final AtomicInteger refuse = new AtomicInteger();
        final AtomicInteger refused = new AtomicInteger();

        @Override
        public boolean evict(Collection<String> addresses, int n, long oldestChangeNanos) {
            if (refuse.getAndUpdate(r -> Math.max(0, r - 1)) > 0) {
                refused.incrementAndGet();
                return false;
            }
            evicted.addAll(addresses);
            events.addAndGet(n);
            return true;
        }

        @Override
        public boolean flush(String reason) {
            flushes.incrementAndGet();
            return true;
        }
    }

    private Backend backend(String changeFeed, String user, String password) {
        return backend(TestDatabase.PORT, changeFeed, user, password);
    }

    private Backend backend(int port, String changeFeed, String user, String password) {
        String yaml = """
                xspct_db_queries:
                  q:
                    db_type: mysql
                    server: 127.0.0.1
                    port: %d
                    user: %s
                    password: "%s"
                    database: %s
                    query: "SELECT mail, quota FROM policy WHERE mail = %%u"
                    query_replace: {"%%u": address}
                    connect_timeout: 2
                    change_feed: %s
                """.formatted(port, user, password, db.name, changeFeed);
        YamlNode root = ConfigFile.parse("test", yaml);
        Backend b = MysqlBackend.create(new QueryContext("q", root.get("xspct_db_queries").get("q"), root),
                ds -> ds);
        assertEquals(List.of(), ConfigFile.problemsOf(root).list());
        closing.add(b);
        return b;
    }

    private Backend backend(String changeFeed) {
        return backend(changeFeed, "root", "");
    }

    private static final ChangeFeedStateStore NO_STATE = new ChangeFeedStateStore() {
        @Override
        public Optional<byte[]> load(String name) {
            return Optional.empty();
        }

        @Override
        public boolean save(String name, byte[] value) {
            return false;
        }
    };

    private ChangeFeed start(Backend b, ChangeSink sink, boolean shared, String instance) {
        ChangeFeed f = ((ChangeSource) b).startChangeFeed(new ChangeFeedContext(sink, shared, Duration.ofMillis(50),
                Duration.ofDays(1), LEASE_TTL, "test-host/1/" + instance, NO_STATE));
        closing.add(f);
        return f;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Await.until(what, DEADLINE, condition);
    }

    // ------------------------------------------------------------------ tests

    @Test
    void anUpdateMadeInTheDatabaseEvictsTheOldAndNewKeyValues() throws Exception {
        RecordingSink sink = new RecordingSink();
        ChangeFeed feed = start(backend("{table: policy, key_columns: [mail, alias]}"), sink, false, "a");
        assertEquals("tailing", feed.status().state());
        assertFalse(feed instanceof Leadership, "without a shared cache there is no lease to lead");
        db.exec("UPDATE policy SET quota = 5, alias = 'new-a@ex.de' WHERE mail = 'a@ex.de'");
        await("the update is reported", () -> sink.evicted.containsAll(
                Set.of("a@ex.de", "alias-a@ex.de", "new-a@ex.de")));
        db.exec("DELETE FROM policy WHERE mail = 'b@ex.de'", "INSERT INTO policy VALUES ('C@Ex.de', NULL, 3)");
        await("the delete and the insert are reported", () -> sink.evicted.containsAll(
                Set.of("b@ex.de", "C@Ex.de", "c@ex.de")));
        assertEquals(0, sink.flushes.get());
        assertTrue(sink.events.get() >= 4, "events: " + sink.events.get());
    }

    @Test
    void aTableWithoutKeyColumnsFlushesEverythingOnAnyChange() throws Exception {
        RecordingSink sink = new RecordingSink();
        start(backend("{table: policy, key_columns: []}"), sink, false, "a");
        db.exec("UPDATE policy SET quota = 7");
        await("a flush", () -> sink.flushes.get() >= 1);
        assertTrue(sink.evicted.isEmpty());
    }

    @Test
    void migrationsAreAppliedOnceWhenRunTwiceAndByConcurrentStarts() throws Exception {
        WatchedTable t = new WatchedTable("policy", List.of("mail"));
        ExecutorService pool = Executors.newFixedThreadPool(3);
        closing.add(pool::shutdownNow);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> runs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            HikariDataSource ds = dataSource();
            runs.add(pool.submit(() -> {
                go.await();
                return ChangeLogMigrations.migrate(ds, t, true);
            }));
        }
        go.countDown();
        int applied = 0;
        for (Future<Integer> f : runs) {
            applied += f.get();
        }
        assertEquals(2, applied, "the base schema and the triggers, once in all");
        assertEquals(0, ChangeLogMigrations.migrate(dataSource(), t, true), "a second run applies nothing");
        assertEquals(2, db.count("SELECT COUNT(*) FROM " + ChangeLogMigrations.HISTORY_TABLE
                + " WHERE success = 1 AND type <> 'BASELINE' AND description NOT LIKE '<<%'"));
        assertEquals(3, db.count("SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = '"
                + db.name + "' AND EVENT_OBJECT_TABLE = 'policy'"));
        // other key columns replace the triggers through the repeatable migration
        assertEquals(1, ChangeLogMigrations.migrate(dataSource(), new WatchedTable("policy",
                List.of("mail", "alias")), true));
        assertEquals(3, db.count("SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = '"
                + db.name + "' AND EVENT_OBJECT_TABLE = 'policy'"));
    }

    private HikariDataSource dataSource() {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl("jdbc:mysql://127.0.0.1:" + TestDatabase.PORT + "/" + db.name);
        hc.setUsername("root");
        hc.setPassword("");
        hc.setMaximumPoolSize(3);
        HikariDataSource ds = new HikariDataSource(hc);
        closing.add(ds);
        return ds;
    }

    @Test
    void withASharedCacheOneInstanceLeadsAndAnotherTakesOverWithTheCursor() throws Exception {
        RecordingSink sinkA = new RecordingSink();
        RecordingSink sinkB = new RecordingSink();
        ChangeFeed a = start(backend("{table: policy, key_columns: [mail]}"), sinkA, true, "a");
        ChangeFeed b = start(backend("{table: policy, key_columns: [mail]}"), sinkB, true, "b");
        assertEquals("leader", a.status().state());
        assertEquals("follower", b.status().state());
        assertTrue(b.status().leaseHolder().startsWith("test-host/"), b.status().leaseHolder());
        assertTrue(((Leadership) a).leader(), "the holder leads");
        assertFalse(((Leadership) b).leader(), "the other does not");

        db.exec("UPDATE policy SET quota = 3 WHERE mail = 'a@ex.de'");
        await("the leader reports the change", () -> sinkA.evicted.contains("a@ex.de"));
        await("the cursor is persisted", () -> a.status().positionSavedAt() != null);
        assertTrue(sinkB.evicted.isEmpty(), "a follower does not tail");

        a.close();
        db.exec("UPDATE policy SET quota = 4 WHERE mail = 'b@ex.de'");
        await("the follower takes the lease over", () -> b.status().leader());
        assertTrue(((Leadership) b).leader());
        assertFalse(((Leadership) a).leader(), "a closed feed leads no more");
        await("and reports the change made meanwhile", () -> sinkB.evicted.contains("b@ex.de"));
        assertFalse(sinkB.evicted.contains("a@ex.de"), "changes before the persisted cursor are not replayed");
    }

    @Test
    void aNewLeaderReplaysChangesMadeWhileNoInstanceRanBeforeItStarts() throws Exception {
        start(backend("{table: policy, key_columns: [mail]}"), new RecordingSink(), true, "a").close();
        db.exec("UPDATE policy SET quota = 9 WHERE mail = 'a@ex.de'");
        RecordingSink sink = new RecordingSink();
        start(backend("{table: policy, key_columns: [mail]}"), sink, true, "b");
        assertTrue(sink.evicted.contains("a@ex.de"), "replayed during the start: " + sink.evicted);
    }

    @Test
    void aLogPrunedPastTheCursorFlushesEverythingOnce() throws Exception {
        start(backend("{table: policy, key_columns: [mail]}"), new RecordingSink(), true, "a").close();
        db.exec("UPDATE policy SET quota = 9 WHERE mail = 'a@ex.de'");
        db.exec("UPDATE " + ChangeLogMigrations.STATE_TABLE + " SET pruned_through = (SELECT MAX(id) FROM "
                + ChangeLogMigrations.LOG_TABLE + ")", "DELETE FROM " + ChangeLogMigrations.LOG_TABLE);
        RecordingSink sink = new RecordingSink();
        start(backend("{table: policy, key_columns: [mail]}"), sink, true, "b");
        assertEquals(1, sink.flushes.get());
    }

    @Test
    void aRowCommittedAfterAHigherIdIsNotMissed() throws Exception {
        RecordingSink sink = new RecordingSink();
        start(backend("{table: policy, key_columns: [mail]}"), sink, false, "a");
        try (Connection slow = db.connection(); Statement st = slow.createStatement()) {
            slow.setAutoCommit(false);
            st.execute("UPDATE policy SET quota = 11 WHERE mail = 'a@ex.de'");
            db.exec("UPDATE policy SET quota = 12 WHERE mail = 'b@ex.de'");
            await("the later commit is reported", () -> sink.evicted.contains("b@ex.de"));
            assertFalse(sink.evicted.contains("a@ex.de"));
            slow.commit();
        }
        await("the earlier id, committed later, is reported too", () -> sink.evicted.contains("a@ex.de"));
    }

    @Test
    void aMissingTableOrColumnIsRefusedNamingTheKey() {
        ChangeFeedException table = assertThrows(ChangeFeedException.class,
                () -> start(backend("{table: nosuch, key_columns: [mail]}"), new RecordingSink(), false, "a"));
        assertEquals("table", table.key());
        assertTrue(table.getMessage().contains("'nosuch' does not exist"), table.getMessage());
        ChangeFeedException column = assertThrows(ChangeFeedException.class,
                () -> start(backend("{table: policy, key_columns: [mail, nosuch]}"), new RecordingSink(), false,
                        "a"));
        assertEquals("key_columns", column.key());
        assertTrue(column.getMessage().contains("no column 'nosuch'"), column.getMessage());
    }

    @Test
    void aMissingPrivilegeIsNamed() throws Exception {
        String user = db.name + "u";
        db.user(user, "pw-" + user, "SELECT, INSERT, UPDATE, DELETE, CREATE");
        ChangeFeedException e = assertThrows(ChangeFeedException.class,
                () -> start(backend("{table: policy, key_columns: [mail]}", user, "pw-" + user), new RecordingSink(),
                        false, "a"));
        assertEquals("", e.key());
        assertTrue(e.getMessage().contains("TRIGGER"), e.getMessage());
        assertFalse(e.getMessage().contains("pw-"), "no password in the message");
    }

    @Test
    void anUnreachableDatabaseStartsDisconnectedAndRetries() {
        String yaml = """
                xspct_db_queries:
                  q:
                    db_type: mysql
                    server: 127.0.0.1
                    port: 1
                    user: root
                    database: %s
                    query: "SELECT mail FROM policy WHERE mail = %%u"
                    query_replace: {"%%u": address}
                    connect_timeout: 0.5
                    change_feed: {table: policy, key_columns: [mail]}
                """.formatted(db.name);
        YamlNode root = ConfigFile.parse("test", yaml);
        Backend b = MysqlBackend.create(new QueryContext("q", root.get("xspct_db_queries").get("q"), root),
                ds -> ds);
        closing.add(b);
        ChangeFeed f = start(b, new RecordingSink(), true, "a");
        assertEquals("disconnected", f.status().state());
        assertTrue(f.status().lastError() != null);
        assertNull(f.status().position());
    }

    @Test
    void configurationProblemsAreReportedByKeyPath() {
        String yaml = """
                xspct_db_queries:
                  q:
                    db_type: mysql
                    server: 127.0.0.1
                    user: root
                    database: test
                    query: "SELECT mail FROM policy WHERE mail = %u"
                    query_replace: {"%u": address}
                    change_feed: {table: "pol icy", key_columns: ["m;ail"], tabel: x}
                """;
        YamlNode root = ConfigFile.parse("test", yaml);
        closing.add(MysqlBackend.create(new QueryContext("q", root.get("xspct_db_queries").get("q"), root),
                ds -> ds));
        String all = String.join("\n", ConfigFile.problemsOf(root).list());
        assertTrue(all.contains("xspct_db_queries.q.change_feed.table"), all);
        assertTrue(all.contains("xspct_db_queries.q.change_feed.key_columns"), all);
        assertTrue(all.contains("xspct_db_queries.q.change_feed.tabel"), all);
    }

    @Test
    void aChangeMadeWhileTheDatabaseWasUnreachableIsReportedAfterTheReconnect() throws Exception {
        TcpProxy proxy = new TcpProxy(TestDatabase.PORT).start();
        closing.add(proxy);
        RecordingSink sink = new RecordingSink();
        ChangeFeed feed = start(backend(proxy.port(), "{table: policy, key_columns: [mail]}", "root", ""), sink,
                false, "a");
        assertEquals("tailing", feed.status().state());
        proxy.stop();
        await("the feed notices the outage", () -> "disconnected".equals(feed.status().state()));
        db.exec("UPDATE policy SET quota = 21 WHERE mail = 'b@ex.de'");
        proxy.start();
        await("the change made during the outage is reported", () -> sink.evicted.contains("b@ex.de"));
        await("the feed is healthy again", () -> feed.status().lastError() == null);
    }

    @Test
    void anEvictionTheSharedCacheDidNotConfirmIsAppliedAgain() throws Exception {
        RecordingSink sink = new RecordingSink();
        ChangeFeed feed = start(backend("{table: policy, key_columns: [mail]}"), sink, true, "a");
        assertEquals("leader", feed.status().state());
        String before = feed.status().position();
        sink.refuse.set(2);
        db.exec("UPDATE policy SET quota = 31 WHERE mail = 'a@ex.de'");
        await("the change is evicted once the cache confirms it", () -> sink.evicted.contains("a@ex.de"));
        assertEquals(2, sink.refused.get());
        await("and only then the cursor moves", () -> !before.equals(feed.status().position()));
    }
}
