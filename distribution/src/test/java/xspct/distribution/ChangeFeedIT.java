package xspct.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The change feed end to end: released servers sharing the real MariaDB (a private database, dropped afterwards)
 * and Redis (keys and channel under a unique prefix, deleted afterwards), with cache TTLs of an hour. A row changed
 * directly in the database must be answered by every instance without any API call.
 */
class ChangeFeedIT {
    private static final Map<String, String> KEY = Map.of("X-Api-Key", "k");
    /** The staleness goal of the feed: every instance answers the new value within it. */
    private static final Duration GOAL = Duration.ofSeconds(2);
    private static final int LEASE_TTL = 4;
    /** A take-over happens once the heartbeat is lease_ttl old, at the next poll (0.1 s); the rest is asking. */
    private static final Duration TAKEOVER_SLACK = Duration.ofMillis(1000);
    private static final Pattern STATE = Pattern.compile("\"state\": \"([a-z]+)\"");

    private final List<RunningServer> servers = new ArrayList<>();
    private String prefix;
    private String database;

    @BeforeEach
    void services() throws SQLException {
        prefix = FleetConfig.redisPrefix();
        FleetConfig.requireServices("mysql", "redis");
        database = FleetConfig.createPolicyDatabase("xcfit", "('a@ex.test', 1), ('b@ex.test', 1)");
    }

    @AfterEach
    void cleanUp() throws SQLException {
        servers.forEach(RunningServer::close);
        FleetConfig.dropData(database, prefix);
    }

    private long count(String query) throws SQLException {
        try (Connection c = DriverManager.getConnection(MariaDb.JDBC); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private String config() {
        return Distribution.TEST_LISTENER + """
                xspct_db_api_key: k
                xspct_db_metrics_enabled: true
                xspct_db_change_feed: {enabled: true, poll_interval: 0.1, lease_ttl: %d}
                xspct_db_response_cache: {expire: 3600}
                """.formatted(LEASE_TTL) + FleetConfig.sharedCaches(prefix) + FleetConfig.policyQuery(database);
    }

    private RunningServer start(String name) {
        Distribution dist = Distribution.shared();
        RunningServer s = RunningServer.start(dist, dist.writeConfig(name + "-" + database + ".yml", config()));
        servers.add(s);
        return s;
    }

    private static String quota(int q) {
        return "{\"users\": {\"a@ex.test\": {\"mail\": [\"a@ex.test\"], \"quota\": [\"" + q + "\"]}}}";
    }

    private static String answer(RunningServer s) {
        return s.get("/v1/query/a@ex.test", KEY).body();
    }

    private static String state(RunningServer s) {
        Matcher m = STATE.matcher(s.get("/v1/change-feed", KEY).body());
        return m.find() ? m.group(1) : "none";
    }

    /** What is left of a deadline that started at {@code startNanos} ({@link System#nanoTime()}). */
    private static Duration since(long startNanos, Duration deadline) {
        return Duration.ofNanos(Math.max(0, startNanos + deadline.toNanos() - System.nanoTime()));
    }

    /** Waits for a condition until the deadline; fails with the servers' logs. */
    private void await(String what, Duration deadline, BooleanSupplier condition) {
        Await.until(what, deadline, condition, RunningServer.logs(servers));
    }

    @Test
    void aDirectUpdateIsServedByBothInstancesAndALeaderKilledIsReplaced() throws Exception {
        // both start at once: Flyway's lock lets one install, the other finds it installed
        CompletableFuture<RunningServer> first = CompletableFuture.supplyAsync(() -> start("a"));
        CompletableFuture<RunningServer> second = CompletableFuture.supplyAsync(() -> start("b"));
        RunningServer a = first.join();
        RunningServer b = second.join();
        assertEquals(2, count("SELECT COUNT(*) FROM " + database + ".xspct_change_feed_history WHERE success = 1 "
                + "AND (version IS NULL OR version = '1')"), "base schema and triggers applied once in all");
        // a leader delayed by a loaded machine gives the lease up, and the other takes it after lease_ttl
        await("one instance leads, the other follows", Duration.ofSeconds(LEASE_TTL).plus(GOAL),
                () -> List.of("follower", "leader").equals(List.of(state(a), state(b)).stream().sorted().toList()));

        assertEquals(quota(1), answer(a));
        assertEquals(quota(1), answer(b));
        MariaDb.jdbc("UPDATE " + database + ".policy SET quota = 2 WHERE mail = 'a@ex.test'");
        await("both instances answer the new value", GOAL,
                () -> quota(2).equals(answer(a)) && quota(2).equals(answer(b)));

        RunningServer leader = state(a).equals("leader") ? a : b;
        RunningServer survivor = leader == a ? b : a;
        assertEquals(quota(2), answer(survivor), "cached again");
        long killed = System.nanoTime();
        leader.process().destroyForcibly(); // SIGKILL: no lease release
        leader.process().waitFor();
        MariaDb.jdbc("UPDATE " + database + ".policy SET quota = 3 WHERE mail = 'a@ex.test'");
        // lease_ttl after the last heartbeat, plus one poll and the time to ask for the state
        await("the survivor takes the lease over within lease_ttl", since(killed,
                Duration.ofSeconds(LEASE_TTL).plus(TAKEOVER_SLACK)), () -> state(survivor).equals("leader"));
        await("and answers the change made meanwhile within lease_ttl + 2 s", since(killed,
                Duration.ofSeconds(LEASE_TTL).plus(GOAL)), () -> quota(3).equals(answer(survivor)));
        String status = survivor.get("/v1/change-feed", KEY).body();
        assertTrue(status.contains("\"query\": \"policy\"") && status.contains("\"events\": "), status);
        String metrics = survivor.get("/metrics", KEY).body();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("xspct_db_change_feed_leader{query=\"policy\"")
                && l.endsWith(" 1.0")), metrics);
        assertTrue(metrics.contains("xspct_db_change_feed_lag_seconds_count"), metrics);
    }

    @Test
    void aChangeMadeWhileTheFleetWasDownIsAnsweredAfterTheStartNotTheRedisEntry() throws Exception {
        RunningServer a = start("a");
        RunningServer b = start("b");
        assertEquals(quota(1), answer(a));
        assertEquals(quota(1), answer(b));
        assertEquals(0, a.stop());
        assertEquals(0, b.stop());
        MariaDb.jdbc("UPDATE " + database + ".policy SET quota = 4 WHERE mail = 'a@ex.test'");
        try (Resp r = new Resp()) {
            assertNotNull(r.call("GET", prefix + "alias_a@ex.test"), "Redis still holds the old answer");
        }
        RunningServer again = start("again");
        assertEquals(quota(4), answer(again));
    }
}
