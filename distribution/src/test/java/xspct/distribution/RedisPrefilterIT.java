package xspct.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The prefilter's Redis SET end to end: the released server with the Redis plugin reads
 * {@code xspct_db_prefilter_domains.redis_key} from the Redis at 127.0.0.1:6379 and reloads it when a message is
 * published on {@code redis_channel}. Keys and channels carry a unique prefix and are removed afterwards.
 */
class RedisPrefilterIT {
    private static final Map<String, String> KEY = Map.of("X-Api-Key", "k");
    private static final String LATE_FOUND = "{\"users\": {\"a@late.test\": {\"mail\": [\"a@late.test\"]}}}";
    private static final String NOTHING = "{\"users\": {}}";

    private String prefix;
    private boolean usesRedis;

    @BeforeEach
    void uniquePrefix() {
        prefix = "xspct_it_" + UUID.randomUUID().toString().substring(0, 12) + "_";
    }

    /** Skips (developer machine) or fails (CI=true) without Redis or without the Redis plugin in the release. */
    private void requireRedis() {
        String why;
        try (Resp r = new Resp()) {
            Object pong = r.call("PING");
            if ("PONG".equals(pong)) {
                why = null;
            } else {
                why = "answered " + pong;
            }
        } catch (UncheckedIOException e) {
            why = e.getCause().toString();
        }
        if (why == null) {
            assumeOrFail(Files.isDirectory(Distribution.shared().plugins().resolve("redis")),
                    "the release has no plugins/redis (build it too: mvn -pl plugins/cache-redis,distribution -am "
                            + "verify)");
        } else {
            assumeOrFail(false, "Redis at 127.0.0.1:6379 is not reachable (" + why + "); start redis-server to "
                    + "run this test");
        }
        usesRedis = true;
    }

    private static void assumeOrFail(boolean condition, String message) {
        if (condition) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            fail(message);
        }
        System.err.println("SKIPPED: " + message);
        assumeTrue(false, message);
    }

    @AfterEach
    void deleteKeys() {
        if (!usesRedis) {
            return;
        }
        Resp.deleteKeys(prefix);
    }

    /** A server configuration: Redis as L2 with this test's key prefixes, the prefilter section given. */
    private String config(boolean redisEnabled, String domainsSection) {
        return Distribution.TEST_LISTENER + """
                xspct_db_api_key: k
                xspct_db_stats_sample_interval: 0.5
                xspct_db_redis_cache:
                  enabled: %2$s
                  host: 127.0.0.1
                  port: 6379
                  prefix_user: %1$suser_
                  prefix_alias: %1$salias_
                  prefix_negative_alias: %1$sneg_
                  invalidation_channel: %1$schan
                xspct_db_prefilter: {enabled: true}
                xspct_db_prefilter_domains: %3$s
                xspct_db_queries: {users: {db_type: yaml}}
                xspct_db_yaml_data:
                  users:
                    a@in.test: {mail: a@in.test}
                    a@late.test: {mail: a@late.test}
                """.formatted(prefix, redisEnabled, domainsSection);
    }

    @Test
    void aDomainAddedToTheSetAndAnnouncedIsAnswered() {
        String set = prefix + "domains";
        String channel = prefix + "domains_changed";
        requireRedis();
        try (Resp r = new Resp()) {
            r.call("SADD", set, "in.test");
        }
        Distribution dist = Distribution.shared();
        String yaml = config(true, "{enabled: true, redis_key: " + set + ", redis_channel: " + channel
                + ", redis_reload_interval: 0, min_domains: 1}");
        try (RunningServer s = RunningServer.start(dist, dist.writeConfig("redis-prefilter.yml", yaml))) {
            assertTrue(s.stdout().contains("prefilter domains ACTIVE: 1 domains (startup)"), s.stdout());
            assertEquals("{\"users\": {\"a@in.test\": {\"mail\": [\"a@in.test\"]}}}",
                    s.get("/v1/query/a@in.test", KEY).body());
            assertEquals(NOTHING, s.get("/v1/query/a@late.test", KEY).body(), "not in the SET");
            // the subscription is in place once its first reload is logged; from then on only a message reloads
            await(() -> s.stdout().contains("(Redis channel " + channel + ")"), s);
            assertEquals(NOTHING, s.get("/v1/query/a@late.test", KEY).body());
            try (Resp r = new Resp()) {
                r.call("SADD", set, "late.test");
                assertEquals(NOTHING, s.get("/v1/query/a@late.test", KEY).body(), "not before the message");
                r.call("PUBLISH", channel, "late.test added");
            }
            await(() -> LATE_FOUND.equals(s.get("/v1/query/a@late.test", KEY).body()), s);
            // the new set answers before its log line is written: wait for the line rather than race it
            await(() -> s.stdout().contains("prefilter domains ACTIVE: 2 domains (Redis channel " + channel + ")"), s);
            assertEquals(0, s.stop());
        }
    }

    @Test
    void redisKeyWithoutTheRedisCacheWarnsAndStarts() {
        Distribution dist = Distribution.shared();
        String yaml = config(false, "{enabled: true, inline: [in.test], redis_key: " + prefix + "domains}");
        try (RunningServer s = RunningServer.start(dist, dist.writeConfig("redis-prefilter-off.yml", yaml))) {
            String warning = "xspct_db_prefilter_domains.redis_key: '" + prefix + "domains' is not read: the Redis "
                    + "cache is not enabled (xspct_db_redis_cache.enabled)";
            assertEquals(1, s.stdout().lines().filter(l -> l.contains("WARNING") && l.contains(warning)).count(),
                    "one WARNING line: " + s.stdout());
            assertEquals("{\"users\": {\"a@in.test\": {\"mail\": [\"a@in.test\"]}}}",
                    s.get("/v1/query/a@in.test", KEY).body());
            assertEquals(NOTHING, s.get("/v1/query/a@late.test", KEY).body());
        }
    }

    private static void await(BooleanSupplier condition, RunningServer s) {
        Await.until("the prefilter change", () -> "server log:\n" + s.stdout(), condition);
    }
}
