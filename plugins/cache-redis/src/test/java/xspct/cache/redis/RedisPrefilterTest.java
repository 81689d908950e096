package xspct.cache.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.lang.System.Logger.Level;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import xspct.api.testing.CapturedLog;
import xspct.api.SetSource;
import xspct.api.SetStore;
import xspct.backend.yaml.YamlBackendProvider;
import xspct.core.XspctService;
import xspct.core.Reply;
import xspct.core.plugin.PluginRegistry;
import xspct.core.prefilter.DomainPrefilter;

/**
 * The prefilter's Redis SET ({@code redis_key}, {@code redis_channel}, {@code redis_reload_interval}) read through
 * the Redis tier, against the real Redis: an in-process service answers GET lookups while the SET changes.
 */
class RedisPrefilterTest {
    private static final List<String> DOMAINS = List.of("a.test", "b.test", "c.test", "inline.test", "file.test",
            "new.test", "other.test");

    private String prefix;
    private String key;
    private String channel;
    private Jedis raw;
    private XspctService service;
    private CapturedLog log;
    private CapturedLog tierLog;

    @BeforeEach
    void setUp() {
        RedisTestSupport.requireRedis();
        prefix = RedisTestSupport.uniquePrefix();
        key = prefix + "domains";
        channel = prefix + "domains_changed";
        raw = RedisTestSupport.raw(2000);
        log = CapturedLog.of(DomainPrefilter.class);
        tierLog = CapturedLog.of(RedisTier.class);
    }

    @AfterEach
    void tearDown() {
        if (service != null) {
            service.close();
        }
        if (raw != null) {
            raw.close();
        }
        if (log != null) {
            log.close();
            tierLog.close();
        }
        if (prefix != null) {
            RedisTestSupport.deleteKeys(prefix);
        }
    }

    /** A service with a yaml user {@code u@D} for every domain D, Redis as L2, and the prefilter section given. */
    private XspctService start(String redisSection, String domainsSection) {
        StringBuilder yaml = new StringBuilder("xspct_db_stats_sample_interval: 0.2\n")
                .append(redisSection)
                .append("xspct_db_prefilter: {enabled: true}\n")
                .append("xspct_db_prefilter_domains: ").append(domainsSection).append('\n')
                .append("xspct_db_queries:\n  users: {db_type: yaml}\n")
                .append("xspct_db_yaml_data:\n  users:\n");
        for (String d : DOMAINS) {
            yaml.append("    u@").append(d).append(": {mail: u@").append(d).append("}\n");
        }
        PluginRegistry plugins = new PluginRegistry(List.of(), Map.of("yaml", new YamlBackendProvider()),
                List.of(new RedisCacheProvider()), List.of());
        service = XspctService.create(RedisTestSupport.settings(yaml.toString()), plugins);
        return service;
    }

    private XspctService start(String domainsSection) {
        return start(RedisTestSupport.section(prefix, "query_timeout: 0.5, connect_timeout: 0.5"), domainsSection);
    }

    /** {@return true when a GET of u@DOMAIN passes the prefilter and is answered} */
    private boolean answered(String domain) {
        try {
            Reply.Users r = assertInstanceOf(Reply.Users.class, service.lookups().get("u@" + domain));
            return !r.users().isEmpty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        assertTrue(RedisTestSupport.eventually(10_000, condition), "not within 10 s: " + what);
    }

    private void awaitSubscribed(Jedis j, String ch) throws InterruptedException {
        await("subscribed to " + ch, () -> j.pubsubNumSub(ch).getOrDefault(ch, 0L) >= 1);
    }

    @Test
    void theSetIsReadAtStart() {
        raw.sadd(key, "A.Test", "b.test", "");
        start("{enabled: true, redis_key: " + key + "}");
        assertEquals("ACTIVE", service.statistics().prefilterState());
        assertEquals(2, service.statistics().prefilterDomainCount(), "lower-cased, the empty member dropped");
        assertTrue(answered("a.test"));
        assertTrue(answered("b.test"));
        assertEquals(false, answered("c.test"), "not in the SET: answered as unknown");
    }

    @Test
    void saddAndPublishReloadTheSet() throws Exception {
        raw.sadd(key, "a.test");
        start("{enabled: true, redis_key: " + key + ", redis_channel: " + channel + ", redis_reload_interval: 0}");
        assertEquals(false, answered("new.test"));
        awaitSubscribed(raw, channel);
        raw.sadd(key, "new.test");
        raw.publish(channel, "anything");
        await("new.test admitted after the message", () -> answered("new.test"));
        assertTrue(answered("a.test"));
    }

    @Test
    void theIntervalReloadsWithoutAMessage() throws Exception {
        raw.sadd(key, "a.test");
        start("{enabled: true, redis_key: " + key + ", redis_reload_interval: 0.2}");
        assertEquals(false, answered("new.test"));
        raw.sadd(key, "new.test");
        await("new.test admitted by the interval reload", () -> answered("new.test"));
    }

    @Test
    void anEmptiedSetIsRejectedByMinDomainsAndTheLastGoodSetKept() throws Exception {
        raw.sadd(key, "a.test", "b.test");
        start("{enabled: true, redis_key: " + key + ", redis_channel: " + channel
                + ", redis_reload_interval: 0, min_domains: 2}");
        awaitSubscribed(raw, channel);
        raw.del(key);
        raw.publish(channel, "");
        await("the empty set is rejected", () -> log.count(Level.ERROR, "rejected: 0 domains") > 0);
        assertTrue(answered("a.test"), "the last good set is kept");
        assertEquals(false, answered("c.test"), "and still filters");
        assertEquals("ACTIVE", service.statistics().prefilterState());
    }

    @Test
    void aRedisTriggeredReloadKeepsInlineAndFileDomains(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("domains.txt"), "# local\nfile.test\n");
        raw.sadd(key, "a.test");
        start("{enabled: true, inline: [inline.test], file: '" + file + "', redis_key: " + key
                + ", redis_channel: " + channel + ", redis_reload_interval: 0}");
        awaitSubscribed(raw, channel);
        raw.srem(key, "a.test");
        raw.sadd(key, "new.test");
        raw.publish(channel, "x");
        await("new.test admitted", () -> answered("new.test"));
        assertTrue(answered("inline.test"), "a reload keeps the inline domains");
        assertTrue(answered("file.test"), "a reload keeps the file domains");
        assertEquals(false, answered("a.test"), "removed from the SET");
        assertEquals(3, service.statistics().prefilterDomainCount());
    }

    @Test
    void anUnreachableRedisFailsNoRequest() throws Exception {
        int closedPort = LocalRedisProcess.freePort();
        start(RedisTestSupport.section(prefix, "port: " + closedPort + ", connect_timeout: 0.3, query_timeout: 0.3"),
                "{enabled: true, inline: [inline.test], redis_key: " + key + ", redis_channel: " + channel + "}");
        assertTrue(log.count(Level.WARNING, "Redis SET " + key + " failed") > 0, "the failed read is logged");
        assertTrue(log.count(Level.WARNING, "with min_domains 0 the set holds only") > 0);
        for (int i = 0; i < 5; i++) {
            assertTrue(answered("inline.test"), "inline domains answered, Redis down");
            assertEquals(false, answered("a.test"));
        }
    }

    @Test
    void theSubscriptionSurvivesARedisRestart() throws Exception {
        try (LocalRedisProcess redis = LocalRedisProcess.start(List.of(), false)) {
            try (Jedis own = new Jedis(HOST, redis.port())) {
                own.sadd(key, "a.test");
                start(RedisTestSupport.section(prefix, "port: " + redis.port()
                        + ", connect_timeout: 0.3, query_timeout: 0.3"), "{enabled: true, redis_key: " + key
                        + ", redis_channel: " + channel + ", redis_reload_interval: 0, min_domains: 1}");
                assertTrue(answered("a.test"));
                awaitSubscribed(own, channel);
            }
            redis.stop();
            for (int i = 0; i < 5; i++) {
                assertTrue(answered("a.test"), "answered while Redis is down");
                assertEquals(false, answered("b.test"));
            }
            redis.restart(); // without data: nothing is persisted
            await("subscribed again", () -> tierLog.anyContains("Redis channel " + channel + " subscribed again"));
            await("the empty SET after the restart is rejected",
                    () -> log.count(Level.ERROR, "rejected: 0 domains") > 0);
            await("the breaker is closed", ((RedisTier) redisTier())::usable);
            try (Jedis own = new Jedis(HOST, redis.port())) {
                own.sadd(key, "b.test");
                own.publish(channel, "changed");
            }
            await("b.test admitted after the message", () -> answered("b.test"));
            assertEquals(false, answered("a.test"));
        }
    }

    @Test
    void theSetSourceReadsMembersVerbatimAndRefusesOtherTypes() {
        start("{enabled: false}");
        SetSource sets = ((SetStore) redisTier()).sets();
        raw.sadd(key, "Mixed.Case");
        assertEquals(Set.of("Mixed.Case"), sets.members(key));
        assertEquals(Set.of(), sets.members(prefix + "missing"));
        raw.set(prefix + "string", "x");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> sets.members(prefix + "string"));
        assertEquals("Redis key " + prefix + "string is not a SET", e.getMessage());
        assertTrue(((RedisTier) redisTier()).usable(), "a wrong key type does not count against the breaker");
    }

    private static final String HOST = RedisTestSupport.HOST;

    private xspct.api.CacheTier redisTier() {
        assertEquals(2, service.statistics().cacheTiers().get(0).level());
        return service.cacheTiers().get(0);
    }
}
