package xspct.cache.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.lang.System.Logger.Level;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import xspct.api.testing.CapturedLog;
import xspct.api.CacheLookup;

/** The breaker opens after max_errors consecutive errors and a health check closes it again. */
// the stalling server's close waits (InterruptedException)
@SuppressWarnings("try")
class CircuitBreakerTest {
    private static final long QUERY_TIMEOUT_MS = 300;
    private String prefix;

    @BeforeEach
    void setUp() {
        RedisTestSupport.requireRedis();
        prefix = RedisTestSupport.uniquePrefix();
    }

    @AfterEach
    void tearDown() {
        RedisTestSupport.deleteKeys(prefix);
    }

    @ParameterizedTest(name = "max_errors={0}")
    @ValueSource(ints = {0, 2})
    void aHangingRedisIsBypassedAndUsedAgainOnceItAnswers(int maxErrors) throws Exception {
        try (StallingRedis stalling = new StallingRedis(RedisTestSupport.HOST, RedisTestSupport.PORT);
             CapturedLog log = CapturedLog.of(RedisTier.class)) {
            String yaml = "xspct_db_stats_sample_interval: 0.2\n" + RedisTestSupport.section(prefix, "port: "
                    + stalling.port() + ", query_timeout: 0.3, connect_timeout: 0.3, max_errors: " + maxErrors);
            RedisTier tier = RedisTestSupport.tier(yaml);
            try {
                // up to max_errors + 1 lookups wait for the query timeout, and each answers a miss
                for (int i = 0; i <= maxErrors; i++) {
                    long t0 = System.nanoTime();
                    assertEquals(CacheLookup.MISS, tier.lookup("a@example.org"));
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    assertTrue(ms < 3 * QUERY_TIMEOUT_MS + 500, "lookup " + i + " took " + ms + " ms");
                }
                assertFalse(tier.usable(), "open after " + (maxErrors + 1) + " consecutive errors");
                // open: no waiting at all, writes are dropped
                long t0 = System.nanoTime();
                for (int i = 0; i < 100; i++) {
                    assertEquals(CacheLookup.MISS, tier.lookup("a@example.org"));
                    tier.store(Map.of("pk", Map.of()), Map.of("a@example.org", "pk"));
                    tier.storeNegative(List.of("n@example.org"));
                }
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(ms < 200, "100 bypassed lookups and writes took " + ms + " ms");

                // recovery: the next health checks reach the real Redis and close the breaker
                stalling.startProxying();
                assertTrue(RedisTestSupport.eventually(5000, tier::usable), "closed again by a health check");
                tier.store(Map.of("pk", Map.of("mail", List.of("a@example.org"))), Map.of("a@example.org", "pk"));
                assertInstanceOf(CacheLookup.Positive.class, tier.lookup("a@example.org"));
            } finally {
                tier.close();
            }
            assertEquals(1, log.count(Level.WARNING, "unusable"), "opening logged once");
            assertEquals(1, log.count(Level.INFO, "answers again"), "closing logged once");
        }
    }

    @Test
    void anUnreachableRedisAtStartIsNoError() throws Exception {
        int port;
        try (var s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        RedisTier tier = RedisTestSupport.tier(RedisTestSupport.section(prefix, "port: " + port
                + ", max_errors: 1, connect_timeout: 0.2"));
        try {
            assertEquals(CacheLookup.MISS, tier.lookup("a@example.org"));
            assertTrue(tier.usable(), "one error of two allowed");
            assertEquals(CacheLookup.MISS, tier.lookup("a@example.org"));
            assertFalse(tier.usable());
        } finally {
            tier.close();
        }
    }

    @Test
    void successEndsARunOfErrors() {
        CircuitBreaker b = new CircuitBreaker(2);
        assertFalse(b.failure());
        assertFalse(b.failure());
        b.success();
        assertFalse(b.failure());
        assertFalse(b.failure());
        assertTrue(b.failure(), "third consecutive error opens");
        assertFalse(b.failure(), "reported once");
        assertFalse(b.allows());
        b.success(); // a late success of an old request does not close it
        assertFalse(b.allows());
        assertTrue(b.probeSucceeded());
        assertTrue(b.allows());
        assertFalse(b.probeSucceeded());
    }
}
