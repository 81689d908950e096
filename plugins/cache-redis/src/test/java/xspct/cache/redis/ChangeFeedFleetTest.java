package xspct.cache.redis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import xspct.api.ApiVersion;
import xspct.api.Backend;
import xspct.api.BackendProvider;
import xspct.api.BackendResult;
import xspct.api.CacheLookup;
import xspct.api.ChangeFeed;
import xspct.api.ChangeFeedContext;
import xspct.api.ChangeFeedStatus;
import xspct.api.ChangeSource;
import xspct.api.LookupRequest;
import xspct.api.QueryContext;
import xspct.backend.yaml.YamlBackendProvider;
import xspct.cache.caffeine.CaffeineTierProvider;
import xspct.core.XspctService;
import xspct.core.Reply;
import xspct.core.plugin.PluginRegistry;

/**
 * The core's side of the change feed with a shared Redis: a feed's evictions go through the service's invalidation
 * (L1, L2 and, over the channel, the other instance), the feed is told that the cache is shared, and positions are
 * kept in Redis.
 */
class ChangeFeedFleetTest {
    private static final String ALICE = "alice@example.org";

    private String prefix;
    private XspctService a;
    private XspctService b;
    private final AtomicReference<ChangeFeedContext> feedOfA = new AtomicReference<>();

    /** The yaml backend plus a change feed that only hands its context to the test. */
    private static final class FeedingProvider implements BackendProvider {
        private final AtomicReference<ChangeFeedContext> captured;

        FeedingProvider(AtomicReference<ChangeFeedContext> captured) {
            this.captured = captured;
        }

        @Override
        public String dbType() {
            return "yaml";
        }

        @Override
        public String apiVersion() {
            return ApiVersion.CURRENT;
        }

        @Override
        public Backend create(QueryContext context) {
            Backend yaml = new YamlBackendProvider().create(context);
            return new FeedingBackend(yaml, captured);
        }
    }

    private record FeedingBackend(Backend yaml, AtomicReference<ChangeFeedContext> captured)
            implements Backend, ChangeSource {
        @Override
        public BackendResult lookup(List<LookupRequest> requests) throws InterruptedException {
            return yaml.lookup(requests);
        }

        @Override
        public ChangeFeed startChangeFeed(ChangeFeedContext context) {
            captured.set(context);
            return new ChangeFeed() {
                @Override
                public ChangeFeedStatus status() {
                    return new ChangeFeedStatus("leader", "test", null, null, null, null, null);
                }

                @Override
                public void close() {
                }
            };
        }
    }

    @BeforeEach
    void setUp() {
        RedisTestSupport.requireRedis();
        prefix = RedisTestSupport.uniquePrefix();
        String yaml = "xspct_db_api_key: test-key\n"
                + "xspct_db_change_feed: {enabled: true, lease_ttl: 4}\n"
                + "xspct_db_local_cache: {enabled: true, expire: 3600, expire_negative: 3600}\n"
                + RedisTestSupport.section(prefix, "expire: 3600")
                + "xspct_db_queries:\n  users: {db_type: yaml, change_feed: {}}\n"
                + "xspct_db_yaml_data:\n  users:\n"
                + "    " + ALICE + ": {mail: " + ALICE + "}\n";
        a = service(yaml, feedOfA);
        b = service(yaml, new AtomicReference<>());
    }

    private static XspctService service(String yaml, AtomicReference<ChangeFeedContext> captured) {
        PluginRegistry plugins = new PluginRegistry(List.of(), Map.of("yaml", new FeedingProvider(captured)),
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

    @Test
    void aFeedsEvictionEmptiesBothInstancesThroughTheInvalidationPath() throws Exception {
        ChangeFeedContext ctx = feedOfA.get();
        assertNotNull(ctx, "the core started the feed");
        assertTrue(ctx.sharedCache(), "Redis is shared: the feed runs under a lease");
        assertEquals(Duration.ofSeconds(4), ctx.leaseTtl());
        try (Jedis raw = RedisTestSupport.raw(2000)) {
            assertTrue(RedisTestSupport.eventually(5000,
                    () -> raw.pubsubNumSub(prefix + "chan").getOrDefault(prefix + "chan", 0L) >= 2));
        }
        assertInstanceOf(Reply.Users.class, a.lookups().get(ALICE));
        assertInstanceOf(Reply.Users.class, b.lookups().get(ALICE));
        assertInstanceOf(CacheLookup.Positive.class, b.cacheTiers().get(0).lookup(ALICE));

        assertTrue(ctx.sink().evict(List.of(ALICE), 1, System.nanoTime()), "Redis confirmed it");
        assertEquals(CacheLookup.MISS, a.cacheTiers().get(0).lookup(ALICE));
        try (Jedis raw = RedisTestSupport.raw(2000)) {
            assertFalse(raw.exists(prefix + "alias_" + ALICE), "L2 entry evicted");
        }
        assertTrue(RedisTestSupport.eventually(5000,
                () -> b.cacheTiers().get(0).lookup(ALICE) == CacheLookup.MISS), "B's L1 too");
        assertEquals(1, a.statistics().changeFeeds().feeds().get(0).events());
        assertTrue(a.statistics().changeFeeds().feeds().get(0).lastLagNanos() >= 0);
    }

    @Test
    void positionsAreKeptInRedisOutsideTheEntryPrefixes() {
        ChangeFeedContext ctx = feedOfA.get();
        byte[] cookie = "cookie-1".getBytes(StandardCharsets.UTF_8);
        assertTrue(ctx.stateStore().save("ldap-sync-cookie.users", cookie));
        assertArrayEquals(cookie, ctx.stateStore().load("ldap-sync-cookie.users").orElseThrow());
        a.invalidateAll();
        assertArrayEquals(cookie, ctx.stateStore().load("ldap-sync-cookie.users").orElseThrow(),
                "an invalidation of all entries keeps positions");
        try (Jedis raw = RedisTestSupport.raw(2000)) {
            raw.del(prefix + "chan:change_feed:ldap-sync-cookie.users");
        }
        assertTrue(ctx.stateStore().load("ldap-sync-cookie.users").isEmpty());
    }
}
