package xspct.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static xspct.distribution.SnapshotSetup.AUTH;
import static xspct.distribution.SnapshotSetup.occurrences;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two centrals publishing snapshots from one MariaDB, with the change feed under a lease (Redis shared): only the
 * holder of the lease builds; when it is killed, the other takes the lease over and builds. The database is a
 * private one on the real MariaDB, the Redis keys carry a unique prefix; both are removed afterwards.
 */
class SnapshotLeaderIT {
    private static final int LEASE_TTL = 6;
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final String PUBLISHED = " published: ";
    private static final Pattern STATE = Pattern.compile("\"state\": \"([a-z]+)\"");

    private final List<RunningServer> servers = new ArrayList<>();
    private String prefix;
    private String database;
    private SnapshotSetup setup;

    @BeforeEach
    void services() throws SQLException {
        prefix = FleetConfig.redisPrefix();
        FleetConfig.requireServices("mysql", "redis", "snapshot-sqlite");
        database = FleetConfig.createPolicyDatabase("xsnapl", "('a@ex.test', 1), ('b@ex.test', 2)");
        setup = SnapshotSetup.create("snapshot-leader");
    }

    @AfterEach
    void cleanUp() throws SQLException {
        servers.forEach(RunningServer::close);
        FleetConfig.dropData(database, prefix);
    }

    private Path directory(String name) {
        return setup.dir.resolve("central-" + name);
    }

    private String config(String name) {
        return Distribution.TEST_LISTENER + """
                xspct_db_api_key: k
                xspct_db_metrics_enabled: true
                xspct_db_metrics_cache_ttl: 0
                xspct_db_change_feed: {enabled: true, poll_interval: 0.1, lease_ttl: %d}
                """.formatted(LEASE_TTL) + FleetConfig.sharedCaches(prefix)
                + FleetConfig.policyQuery(database, "snapshot_list_query: \"SELECT mail FROM policy\"")
                + setup.publish(2, "", directory(name));
    }

    private RunningServer start(String name) {
        Distribution dist = Distribution.shared();
        RunningServer s = RunningServer.start(dist, dist.writeConfig("snapshot-leader-" + name + "-" + database
                + ".yml", config(name)));
        servers.add(s);
        return s;
    }

    private static String feedState(RunningServer s) {
        Matcher m = STATE.matcher(s.get("/v1/change-feed", AUTH).body());
        return m.find() ? m.group(1) : "none";
    }

    private static String snapshots(RunningServer s) {
        return s.get("/v1/snapshots", AUTH).body();
    }

    /** {@return the signed versions in a central's directory} */
    private static long versions(Path directory) {
        if (!Files.isDirectory(directory)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".manifest")).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void await(String what, Duration deadline, BooleanSupplier condition) {
        Await.until(what, deadline, condition, RunningServer.logs(servers));
    }

    @Test
    void onlyTheLeaseHolderBuildsAndTheOtherTakesOverWhenItIsKilled() throws Exception {
        CompletableFuture<RunningServer> first = CompletableFuture.supplyAsync(() -> start("a"));
        CompletableFuture<RunningServer> second = CompletableFuture.supplyAsync(() -> start("b"));
        RunningServer a = first.join();
        RunningServer b = second.join();
        await("one instance leads, the other follows", DEADLINE,
                () -> List.of("follower", "leader").equals(Stream.of(feedState(a), feedState(b)).sorted().toList()));
        RunningServer leader = feedState(a).equals("leader") ? a : b;
        RunningServer follower = leader == a ? b : a;
        Path leaderDir = directory(leader == a ? "a" : "b");
        Path followerDir = directory(leader == a ? "b" : "a");
        await("the follower reports that it leaves the builds to the leader", DEADLINE,
                () -> snapshots(follower).contains("\"lease\": \"follower\", \"builds\": false"));

        int followerBuilt = occurrences(follower.stdout(), PUBLISHED);
        long followerVersions = versions(followerDir);
        int leaderBuilt = occurrences(leader.stdout(), PUBLISHED);
        await("the leader builds two more versions", DEADLINE,
                () -> occurrences(leader.stdout(), PUBLISHED) >= leaderBuilt + 2);
        assertTrue(versions(leaderDir) >= 2, "the leader's directory holds its versions");
        assertEquals(followerBuilt, occurrences(follower.stdout(), PUBLISHED), follower.stdout());
        assertEquals(followerVersions, versions(followerDir), "the follower's directory gets nothing new");
        String list = snapshots(follower);
        assertTrue(list.contains("\"role\": \"central\", \"lease\": \"follower\", \"builds\": false, "
                + "\"skipped_builds\": "), list);
        assertTrue(follower.stdout().contains("builds no snapshots"), follower.stdout());
        assertTrue(snapshots(leader).contains("\"lease\": \"leader\", \"builds\": true"), snapshots(leader));
        assertTrue(leader.stdout().contains("holds the change feed lease of query policy and builds the snapshots"),
                leader.stdout());

        leader.process().destroyForcibly(); // SIGKILL: the lease is not released, it expires
        leader.process().waitFor();
        await("the survivor takes the lease over", DEADLINE, () -> feedState(follower).equals("leader"));
        await("and builds", DEADLINE, () -> occurrences(follower.stdout(), PUBLISHED) > followerBuilt
                && versions(followerDir) > followerVersions);
        assertTrue(snapshots(follower).contains("\"lease\": \"leader\", \"builds\": true"), snapshots(follower));
        assertTrue(follower.stdout().contains("holds the change feed lease of query policy and builds the "
                + "snapshots"), follower.stdout());
        String metrics = follower.get("/metrics", AUTH).body();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("xspct_db_snapshot_publisher{state=\"builds\"")
                && l.endsWith(" 1.0")), metrics);
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("xspct_db_snapshot_publisher{state=\"skipped\"")
                && !l.endsWith(" 0.0")), metrics);
    }
}
