package xspct.cache.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import xspct.api.CacheLookup;
import xspct.api.CacheTier;
import xspct.api.Invalidation;
import xspct.backend.yaml.YamlBackendProvider;
import xspct.cache.caffeine.CaffeineTierProvider;
import xspct.core.XspctService;
import xspct.core.Reply;
import xspct.core.plugin.PluginRegistry;

/** Two services sharing one Redis: an invalidation on one empties the other's L1 within a second. */
class FleetInvalidationTest {
    private static final String ALICE = "alice@example.org";
    private static final String BOB = "bob@example.org";

    private String prefix;
    private XspctService a;
    private XspctService b;

    @BeforeEach
    void setUp() {
        RedisTestSupport.requireRedis();
        prefix = RedisTestSupport.uniquePrefix();
        String yaml = "xspct_db_api_key: test-key\n"
                + "xspct_db_local_cache: {enabled: true, expire: 300, expire_negative: 300}\n"
                + RedisTestSupport.section(prefix, "expire: 300")
                + "xspct_db_queries:\n  users: {db_type: yaml}\n"
                + "xspct_db_yaml_data:\n  users:\n"
                + "    " + ALICE + ": {mail: " + ALICE + ", cn: Alice}\n"
                + "    " + BOB + ": {mail: " + BOB + ", cn: Bob}\n";
        a = service(yaml);
        b = service(yaml);
    }

    private static XspctService service(String yaml) {
        PluginRegistry plugins = new PluginRegistry(List.of(), Map.of("yaml", new YamlBackendProvider()),
                List.of(new RedisCacheProvider(), new CaffeineTierProvider()), List.of());
        return XspctService.create(RedisTestSupport.settings(yaml), plugins);
    }

    @AfterEach
    void tearDown() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        RedisTestSupport.deleteKeys(prefix);
    }

    private static CacheTier l1(XspctService s) {
        assertEquals(1, s.statistics().cacheTiers().get(0).level());
        return s.cacheTiers().get(0);
    }

    private static void awaitSubscribed(String channel) throws InterruptedException {
        try (Jedis raw = RedisTestSupport.raw(2000)) {
            assertTrue(RedisTestSupport.eventually(5000,
                    () -> raw.pubsubNumSub(channel).getOrDefault(channel, 0L) >= 2), "both instances subscribed");
        }
    }

    /** Fills A's and B's L1: A asks the backend and writes L1 + L2, B reads L2 and copies it into its L1. */
    private void warm(String address) throws InterruptedException {
        Reply.Users ra = assertInstanceOf(Reply.Users.class, a.lookups().get(address));
        assertTrue(ra.users().containsKey(address));
        Reply.Users rb = assertInstanceOf(Reply.Users.class, b.lookups().get(address));
        assertEquals(ra.users(), rb.users());
        assertInstanceOf(CacheLookup.Positive.class, l1(a).lookup(address));
        assertInstanceOf(CacheLookup.Positive.class, l1(b).lookup(address));
    }

    @Test
    void invalidatingAnAddressEmptiesEveryInstance() throws Exception {
        awaitSubscribed(prefix + "chan");
        warm(ALICE);
        warm(BOB);
        BlockingQueue<Invalidation> seenByB = new LinkedBlockingQueue<>();
        b.addInvalidationListener(seenByB::add);

        long start = System.nanoTime();
        assertEquals(1, a.invalidate(List.of(ALICE, ALICE)));
        assertEquals(CacheLookup.MISS, l1(a).lookup(ALICE), "the local L1 is emptied at once");
        assertTrue(RedisTestSupport.eventually(1000, () -> l1(b).lookup(ALICE) == CacheLookup.MISS),
                "B's L1 dropped the entry within a second");
        assertTrue(System.nanoTime() - start < 1_000_000_000L);
        assertEquals(Invalidation.of(List.of(ALICE)), seenByB.poll(1, TimeUnit.SECONDS),
                "B's listeners (response cache hook) are told");
        try (Jedis raw = RedisTestSupport.raw(2000)) {
            assertFalse(raw.exists(prefix + "alias_" + ALICE));
            assertFalse(raw.exists(prefix + "user_" + ALICE));
            assertTrue(raw.exists(prefix + "user_" + BOB));
        }
        assertInstanceOf(CacheLookup.Positive.class, l1(b).lookup(BOB), "other entries stay");
        // B answers again from the backend and re-fills the caches
        Reply.Users again = assertInstanceOf(Reply.Users.class, b.lookups().get(ALICE));
        assertTrue(again.users().containsKey(ALICE));
    }

    @Test
    void invalidatingAllEmptiesEveryInstance() throws Exception {
        awaitSubscribed(prefix + "chan");
        warm(ALICE);
        warm(BOB);
        b.invalidateAll();
        assertEquals(CacheLookup.MISS, l1(b).lookup(ALICE));
        assertTrue(RedisTestSupport.eventually(1000, () -> l1(a).lookup(ALICE) == CacheLookup.MISS
                && l1(a).lookup(BOB) == CacheLookup.MISS), "A's L1 emptied within a second");
        try (Jedis raw = RedisTestSupport.raw(2000)) {
            assertFalse(raw.exists(prefix + "user_" + BOB));
        }
    }
}
