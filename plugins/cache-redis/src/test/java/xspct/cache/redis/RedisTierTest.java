package xspct.cache.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static xspct.cache.redis.RedisTestSupport.HOST;
import static xspct.cache.redis.RedisTestSupport.PORT;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.JedisPubSub;
import xspct.api.testing.CapturedLog;
import xspct.api.CacheLookup;
import xspct.api.Invalidation;

/** The tier against the real Redis: the key layout shared with xspct_db 0.7, lookups, invalidation. */
// subscriptions held for their effect; their close waits (InterruptedException)
@SuppressWarnings("try")
class RedisTierTest {
    private static final SetParams MINUTE = SetParams.setParams().ex(60);
    /** What Python's json.dumps wrote for {@link #pythonUser()} (checked against CPython 3). */
    static final String PYTHON_JSON = "{\"mail\": [\"j\\u00fcrgen@example.org\"], \"cn\": [\"J\\u00fcrgen \\\"J\\\" "
            + "M\\u00fcller\\n\\ud83d\\ude00\"], \"uidNumber\": 1000, \"quota\": 1.5, \"active\": true, "
            + "\"manager\": null, \"nested\": {\"k\": [\"v\"]}}";

    private String prefix;
    private RedisTier tier;
    private Jedis raw;

    static Map<String, Object> pythonUser() {
        Map<String, Object> u = new LinkedHashMap<>();
        u.put("mail", List.of("jürgen@example.org"));
        u.put("cn", List.of("Jürgen \"J\" Müller\n\uD83D\uDE00"));
        u.put("uidNumber", 1000L);
        u.put("quota", 1.5);
        u.put("active", true);
        u.put("manager", null);
        u.put("nested", Map.of("k", List.of("v")));
        return u;
    }

    @BeforeEach
    void setUp() {
        RedisTestSupport.requireRedis();
        prefix = RedisTestSupport.uniquePrefix();
        tier = RedisTestSupport.tier(RedisTestSupport.section(prefix, "expire: 120, expire_negative: 30"));
        raw = RedisTestSupport.raw(2000);
    }

    @AfterEach
    void tearDown() {
        if (tier != null) {
            tier.close();
        }
        if (raw != null) {
            raw.close();
        }
        if (prefix != null) {
            RedisTestSupport.deleteKeys(prefix);
        }
    }

    @Test
    void writesTheOriginalKeyLayout() throws Exception {
        tier.store(Map.of("jürgen@example.org", pythonUser()),
                Map.of("jürgen@example.org", "jürgen@example.org", "alias@example.org", "jürgen@example.org"));
        tier.storeNegative(List.of("nobody@example.org"));

        String json = raw.get(prefix + "user_jürgen@example.org");
        assertEquals(PYTHON_JSON, json, "the same bytes Python's json.dumps writes");
        assertEquals(pythonUser(), PythonJson.readObject(json));
        assertEquals("jürgen@example.org", raw.get(prefix + "alias_alias@example.org"));
        assertEquals("jürgen@example.org", raw.get(prefix + "alias_jürgen@example.org"));
        assertEquals("1", raw.get(prefix + "neg_nobody@example.org"));
        long userTtl = raw.ttl(prefix + "user_jürgen@example.org");
        long aliasTtl = raw.ttl(prefix + "alias_alias@example.org");
        long negTtl = raw.ttl(prefix + "neg_nobody@example.org");
        assertTrue(userTtl > 110 && userTtl <= 120, "user TTL " + userTtl);
        assertTrue(aliasTtl > 110 && aliasTtl <= 120, "alias TTL " + aliasTtl);
        assertTrue(negTtl > 20 && negTtl <= 30, "negative TTL " + negTtl);
        // keys are verbatim: no case folding
        assertNull(raw.get(prefix + "alias_Alias@example.org"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        PYTHON_JSON,
        // the same object compact, pretty-printed, and with literal UTF-8 instead of escapes
        "{\"mail\":[\"j\\u00fcrgen@example.org\"],\"cn\":[\"J\\u00fcrgen \\\"J\\\" M\\u00fcller\\n\\ud83d\\ude00\"],"
            + "\"uidNumber\":1000,\"quota\":1.5,\"active\":true,\"manager\":null,\"nested\":{\"k\":[\"v\"]}}",
        "{\n  \"mail\": [\n    \"jürgen@example.org\"\n  ],\n  \"cn\": [\"Jürgen \\\"J\\\" Müller\\n😀\"],\n"
            + "  \"uidNumber\": 1000, \"quota\": 1.5, \"active\": true, \"manager\": null,\n"
            + "  \"nested\": {\"k\": [\"v\"]}\n}"
    })
    void readsEntriesWrittenByTheOriginal(String json) {
        raw.set(prefix + "user_uid=7", json, MINUTE);
        raw.set(prefix + "alias_j@example.org", "uid=7", MINUTE);
        CacheLookup.Positive p = assertInstanceOf(CacheLookup.Positive.class, tier.lookup("j@example.org"));
        assertEquals("uid=7", p.primaryKey());
        assertEquals(pythonUser(), p.user());
        assertEquals(List.copyOf(pythonUser().keySet()), List.copyOf(p.user().keySet()), "document order");
    }

    @Test
    void gaugesReportThePoolOnceConnected() {
        tier.lookup("gauge@example.org");
        Map<String, Number> g = tier.gauges();
        assertTrue(g.get("active").intValue() + g.get("idle").intValue() >= 1, g.toString());
        assertEquals(0, g.get("breaker_open").intValue(), g.toString());
    }

    @Test
    void gaugesReportAnOpenBreaker() {
        RedisTier t = RedisTestSupport.tier(RedisTestSupport.section(prefix,
                "user: xspct_no_such_user, password: wrong, max_errors: 0"));
        try {
            assertEquals(0, t.gauges().get("breaker_open").intValue());
            assertEquals(CacheLookup.MISS, t.lookup("a@example.org"));
            assertEquals(1, t.gauges().get("breaker_open").intValue());
        } finally {
            t.close();
        }
    }

    @Test
    void lookupFollowsTheOriginalOrder() {
        assertEquals(CacheLookup.MISS, tier.lookup("a@example.org"));
        raw.set(prefix + "neg_n@example.org", "1", MINUTE);
        assertEquals(CacheLookup.NEGATIVE, tier.lookup("n@example.org"));
        // alias present, user key absent: a miss, the negative key is not consulted
        raw.set(prefix + "alias_n@example.org", "gone", MINUTE);
        assertEquals(CacheLookup.MISS, tier.lookup("n@example.org"));
        raw.set(prefix + "user_gone", "{\"mail\": [\"n@example.org\"]}", MINUTE);
        assertInstanceOf(CacheLookup.Positive.class, tier.lookup("n@example.org"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"{\"mail\": [", "not json", "[\"a\"]", "\"text\"", "{} {}", "{'mail': 1}"})
    void malformedJsonIsAMissAndIsDeleted(String bad) {
        raw.set(prefix + "user_pk", bad, MINUTE);
        raw.set(prefix + "alias_a@example.org", "pk", MINUTE);
        assertEquals(CacheLookup.MISS, tier.lookup("a@example.org"));
        assertFalse(raw.exists(prefix + "user_pk"), "the bad entry is removed");
        assertTrue(tier.usable(), "bad data is not a Redis error");
    }

    @Test
    void invalidateRemovesEveryKeyOfTheAddressesAndAnnouncesThem() throws Exception {
        tier.store(Map.of("uid1", Map.of("mail", List.of("a@example.org")), "b@example.org", Map.of()),
                Map.of("a@example.org", "uid1", "other@example.org", "uid1", "b@example.org", "b@example.org"));
        tier.storeNegative(List.of("n@example.org", "m@example.org"));
        BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        try (Subscription sub = new Subscription(prefix + "chan", messages)) {
            tier.invalidate(List.of("a@example.org", "b@example.org", "n@example.org"));
            assertEquals("{\"all\": false, \"users\": [\"a@example.org\", \"b@example.org\", \"n@example.org\"]}",
                    messages.poll(5, TimeUnit.SECONDS));
        }
        for (String k : List.of("alias_a@example.org", "user_uid1", "alias_b@example.org", "user_b@example.org",
                "neg_n@example.org")) {
            assertFalse(raw.exists(prefix + k), k);
        }
        assertTrue(raw.exists(prefix + "neg_m@example.org"), "other keys stay");
        assertTrue(raw.exists(prefix + "alias_other@example.org"), "other aliases stay (pointing nowhere)");
        assertEquals(CacheLookup.MISS, tier.lookup("other@example.org"));
    }

    @Test
    void invalidateAllRemovesOnlyThePrefixedKeys() throws Exception {
        for (int i = 0; i < 2500; i++) {
            raw.set(prefix + "user_" + i, "{}", MINUTE);
        }
        raw.set(prefix + "alias_a*[x]?", "0", MINUTE);
        raw.set(prefix + "neg_n", "1", MINUTE);
        raw.set(prefix + "unrelated", "keep", MINUTE);
        BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        try (Subscription sub = new Subscription(prefix + "chan", messages)) {
            tier.invalidateAll();
            assertEquals("{\"all\": true, \"users\": []}", messages.poll(5, TimeUnit.SECONDS));
        }
        assertFalse(raw.exists(prefix + "user_1"));
        assertFalse(raw.exists(prefix + "user_2499"));
        assertFalse(raw.exists(prefix + "alias_a*[x]?"));
        assertFalse(raw.exists(prefix + "neg_n"));
        assertEquals("keep", raw.get(prefix + "unrelated"));
    }

    @Test
    void remoteInvalidationsReachTheListenerWithinASecond() throws Exception {
        BlockingQueue<Invalidation> received = new LinkedBlockingQueue<>();
        tier.onRemoteInvalidation(received::add);
        // wait until the subscription is in place
        assertTrue(RedisTestSupport.eventually(5000, () -> raw.pubsubNumSub(prefix + "chan")
                .getOrDefault(prefix + "chan", 0L) > 0));
        long start = System.nanoTime();
        raw.publish(prefix + "chan", "{\"all\": false, \"users\": [\"x@example.org\"]}");
        Invalidation inv = received.poll(1, TimeUnit.SECONDS);
        assertEquals(Invalidation.of(List.of("x@example.org")), inv);
        assertTrue(System.nanoTime() - start < 1_000_000_000L);
        raw.publish(prefix + "chan", "{\"all\": true}");
        assertEquals(Invalidation.everything(), received.poll(1, TimeUnit.SECONDS));
        raw.publish(prefix + "chan", "garbage");
        raw.publish(prefix + "chan", "{\"users\": [\"y@example.org\"]}");
        assertEquals(Invalidation.of(List.of("y@example.org")), received.poll(1, TimeUnit.SECONDS),
                "a malformed message is skipped");
    }

    @Test
    void aPasswordIsNeverLogged() throws Exception {
        String secret = "pw-" + prefix;
        try (CapturedLog log = CapturedLog.of(RedisTier.class)) {
            RedisTier t = RedisTestSupport.tier(RedisTestSupport.section(prefix,
                    "user: xspct_no_such_user, password: " + secret + ", max_errors: 0"));
            try {
                // no such user: AUTH fails, the error is logged and opens the breaker
                assertEquals(CacheLookup.MISS, t.lookup("a@example.org"));
                assertFalse(t.usable());
            } finally {
                t.close();
            }
            assertTrue(log.count(System.Logger.Level.WARNING, "unusable") == 1, "breaker opening logged once");
            assertFalse(log.anyContains(secret), "the password appears in no log line");
            assertFalse(RedisTestSupport.redisSettings(RedisTestSupport.section(prefix, "password: " + secret))
                    .toString().contains(secret));
        }
    }

    /** A raw subscription collecting messages, ready when constructed. */
    static final class Subscription implements AutoCloseable {
        private final Jedis jedis = RedisTestSupport.raw(0);
        private final JedisPubSub pubsub;
        private final Thread thread;

        Subscription(String channel, BlockingQueue<String> into) throws InterruptedException {
            CountDownLatch ready = new CountDownLatch(1);
            pubsub = new JedisPubSub() {
                @Override
                public void onSubscribe(String ch, int n) {
                    ready.countDown();
                }

                @Override
                public void onMessage(String ch, String message) {
                    into.add(message);
                }
            };
            thread = Thread.ofPlatform().daemon().start(() -> jedis.subscribe(pubsub, channel));
            assertTrue(ready.await(5, TimeUnit.SECONDS), "subscribed");
        }

        @Override
        public void close() throws InterruptedException {
            pubsub.unsubscribe();
            thread.join(5000);
            jedis.close();
        }
    }
}
