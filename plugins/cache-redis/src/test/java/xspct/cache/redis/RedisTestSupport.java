package xspct.cache.redis;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;
import xspct.api.CacheContext;
import xspct.api.CacheTier;
import xspct.api.testing.Await;
import xspct.core.config.ConfigFile;
import xspct.core.config.Settings;
import xspct.core.config.YamlNode;

/** The real Redis on 127.0.0.1:6379, unique key prefixes per test, and a few helpers. */
final class RedisTestSupport {
    static final String HOST = "127.0.0.1";
    static final int PORT = 6379;

    private RedisTestSupport() {
    }

    /** Skips (developer machine) or fails (CI=true) when Redis does not answer. */
    static void requireRedis() {
        String why;
        try (Jedis j = raw(1000)) {
            if ("PONG".equals(j.ping())) {
                return;
            }
            why = "no PONG";
        } catch (RuntimeException e) {
            why = e.toString();
        }
        String msg = "Redis at " + HOST + ":" + PORT + " is not reachable (" + why + "); start redis-server to run "
                + "this test";
        if ("true".equals(System.getenv("CI"))) {
            fail(msg);
        }
        System.err.println("SKIPPED: " + msg);
        assumeTrue(false, msg);
    }

    /** A plain client for checking keys, with the given read timeout (0 = none). */
    static Jedis raw(int timeoutMillis) {
        return new Jedis(new redis.clients.jedis.HostAndPort(HOST, PORT), redis.clients.jedis.DefaultJedisClientConfig
                .builder().serverDefaultProtocol().connectionTimeoutMillis(2000).socketTimeoutMillis(timeoutMillis)
                .build());
    }

    /** A unique prefix for one test's keys and channel. */
    static String uniquePrefix() {
        return "xspct_test_" + UUID.randomUUID().toString().substring(0, 12) + "_";
    }

    /** The YAML of an xspct_db_redis_cache section using the prefix. */
    static String section(String prefix, String extra) {
        return "xspct_db_redis_cache: {enabled: true, host: " + HOST
                + (extra.contains("port:") ? "" : ", port: " + PORT)
                + ", prefix_user: " + prefix + "user_, prefix_alias: " + prefix + "alias_"
                + ", prefix_negative_alias: " + prefix + "neg_, invalidation_channel: " + prefix + "chan"
                + (extra.isEmpty() ? "" : ", " + extra) + "}\n";
    }

    static Settings settings(String yaml) {
        return Settings.read(ConfigFile.parse("test", yaml));
    }

    static RedisCacheSettings redisSettings(String yaml) {
        Settings s = settings(yaml);
        return RedisCacheSettings.read(s.section(RedisCacheProvider.CONFIG_KEY), s.root());
    }

    /** Creates the tier through the provider, failing on any recorded configuration problem. */
    static RedisTier tier(String yaml) {
        Settings s = settings(yaml);
        YamlNode root = s.root();
        CacheTier t = new RedisCacheProvider()
                .create(new CacheContext(s.section(RedisCacheProvider.CONFIG_KEY), root))
                .orElseThrow(() -> new AssertionError("tier disabled"));
        root.problems().throwIfAny("test");
        return (RedisTier) t;
    }

    /** Deletes every key starting with the prefix. */
    static void deleteKeys(String prefix) {
        try (Jedis j = raw(2000)) {
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> r = j.scan(cursor, new ScanParams().match(prefix + "*").count(1000));
                if (!r.getResult().isEmpty()) {
                    j.del(r.getResult().toArray(String[]::new));
                }
                cursor = r.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        } catch (RuntimeException e) {
            // nothing to clean when Redis is gone
        }
    }

    /** Polls until the condition holds or the deadline passes. */
    static boolean eventually(long millis, BooleanSupplier condition) throws InterruptedException {
        return Await.eventually(Duration.ofMillis(millis), condition);
    }
}
