package xspct.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.lang.System.Logger.Level;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xspct.api.CacheContext;
import xspct.api.CacheTier;
import xspct.api.CacheTierProvider;
import xspct.api.SetSource;
import xspct.api.SetStore;
import xspct.api.testing.CapturedLog;
import xspct.api.testing.NoopCacheTier;
import xspct.core.config.ConfigFile;
import xspct.core.config.Settings;
import xspct.core.config.YamlNode;
import xspct.core.plugin.PluginRegistry;
import xspct.core.prefilter.DomainPrefilter;
import xspct.api.testing.Await;

/**
 * The wiring of {@code redis_key}, {@code redis_channel} and {@code redis_reload_interval} to a cache tier's
 * {@link SetSource}, with an in-memory set source (the Redis plugin's tests use the real Redis).
 */
class PrefilterSetSourceTest {
    private static final String KEY = "allowed";
    private static final String CHANNEL = "allowed_changed";

    /** Sets in memory; subscribers are called by the test. */
    static final class MemorySets implements SetSource {
        final Map<String, Set<String>> sets = new ConcurrentHashMap<>();
        final Map<String, Runnable> subscribers = new ConcurrentHashMap<>();
        final AtomicInteger reads = new AtomicInteger();
        volatile RuntimeException failure;

        @Override
        public Set<String> members(String key) {
            reads.incrementAndGet();
            RuntimeException f = failure;
            if (f != null) {
                throw f;
            }
            return Set.copyOf(sets.getOrDefault(key, Set.of()));
        }

        @Override
        public AutoCloseable subscribe(String channel, Runnable onChange) {
            subscribers.put(channel, onChange);
            return () -> subscribers.remove(channel, onChange);
        }

        void publish(String channel) {
            subscribers.get(channel).run();
        }
    }

    /** A tier that caches nothing and offers the sets. */
    private static final class SetTier extends NoopCacheTier implements SetStore {
        private final SetSource sets;

        SetTier(SetSource sets) {
            this.sets = sets;
        }

        @Override
        public SetSource sets() {
            return sets;
        }
    }

    static CacheTierProvider tierWith(SetSource sets) {
        CacheTier tier = new SetTier(sets);
        return new CacheTierProvider() {
            @Override
            public String name() {
                return "sets";
            }

            @Override
            public String configKey() {
                return "sets_tier";
            }

            @Override
            public int level() {
                return 2;
            }

            @Override
            public Optional<CacheTier> create(CacheContext context) {
                return Optional.of(tier);
            }

            @Override
            public boolean offersSets(CacheContext context) {
                return true;
            }
        };
    }

    private final MemorySets sets = new MemorySets();
    private final CapturedLog log = CapturedLog.of(DomainPrefilter.class);
    private XspctService service;
    private YamlNode root;

    @AfterEach
    void tearDown() {
        if (service != null) {
            service.close();
        }
        log.close();
    }

    private DomainPrefilter start(String domainsSection, boolean withTier) {
        String yaml = "xspct_db_prefilter: {enabled: true}\n"
                + "xspct_db_prefilter_domains: " + domainsSection + "\n";
        PluginRegistry plugins = new PluginRegistry(List.of(), Map.of(),
                withTier ? List.of(tierWith(sets)) : List.of(), List.of());
        root = ConfigFile.parse("test", yaml);
        service = XspctService.create(Settings.read(root), plugins);
        return service.prefilter();
    }

    @Test
    void theInitialSetIncludesTheRedisSetAndTheChannelIsSubscribed() {
        sets.sets.put(KEY, Set.of("Redis.Test", " spaced.test ", "", "  "));
        DomainPrefilter p = start("{enabled: true, inline: [inline.test], redis_key: " + KEY
                + ", redis_channel: " + CHANNEL + "}", true);
        assertEquals("ACTIVE", p.state());
        assertEquals(3, p.domainCount(), "inline, redis.test, spaced.test; empty members dropped");
        assertTrue(p.pass("a@redis.test"), "members are lower-cased");
        assertTrue(p.pass("a@spaced.test"));
        assertTrue(p.pass("a@inline.test"));
        assertFalse(p.pass("a@other.test"));
        assertTrue(sets.subscribers.containsKey(CHANNEL));
    }

    @Test
    void aMessageReloadsFromEverySource(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("domains.txt"), "file.test\n");
        sets.sets.put(KEY, Set.of("redis.test"));
        DomainPrefilter p = start("{enabled: true, inline: [inline.test], file: '" + file + "', redis_key: " + KEY
                + ", redis_channel: " + CHANNEL + ", redis_reload_interval: 0}", true);
        assertFalse(p.pass("a@new.test"));
        sets.sets.put(KEY, Set.of("redis.test", "new.test"));
        sets.publish(CHANNEL);
        Await.until("new.test admitted", () -> p.pass("a@new.test"));
        assertTrue(p.pass("a@inline.test"), "a reload keeps the inline domains");
        assertTrue(p.pass("a@file.test"), "a reload keeps the file domains");
        assertTrue(p.pass("a@redis.test"));
        assertEquals(4, p.domainCount());
    }

    @Test
    void theIntervalReloadsWithoutAMessage() throws Exception {
        sets.sets.put(KEY, Set.of("redis.test"));
        DomainPrefilter p = start("{enabled: true, redis_key: " + KEY + ", redis_reload_interval: 0.05}", true);
        assertTrue(sets.subscribers.isEmpty(), "no channel configured");
        sets.sets.put(KEY, Set.of("redis.test", "later.test"));
        Await.until("later.test admitted by the interval reload", () -> p.pass("a@later.test"));
    }

    @Test
    void aFailingSetAddsNothingAndMinDomainsKeepsTheLastGoodSet() throws Exception {
        sets.sets.put(KEY, Set.of("a.test", "b.test"));
        DomainPrefilter p = start("{enabled: true, inline: [inline.test], min_domains: 2, redis_key: " + KEY
                + ", redis_channel: " + CHANNEL + ", redis_reload_interval: 0}", true);
        assertEquals(3, p.domainCount());
        sets.failure = new IllegalStateException("Redis redis://127.0.0.1:6379/0 is bypassed");
        int before = sets.reads.get();
        sets.publish(CHANNEL);
        Await.until("a failed reload is reported", () -> log.contains(Level.ERROR, "rejected"));
        assertTrue(sets.reads.get() > before);
        assertTrue(log.contains(Level.WARNING, "Redis SET " + KEY + " failed (Redis redis://127.0.0.1:6379/0 is "
                + "bypassed): it adds no domains"), "a WARNING names the source and the error");
        assertTrue(p.pass("x@a.test"), "the last good set is kept");
        assertEquals(3, p.domainCount());
    }

    @Test
    void withMinDomainsZeroAFailingSetShrinksTheSetToTheOtherSources() throws Exception {
        sets.sets.put(KEY, Set.of("a.test"));
        DomainPrefilter p = start("{enabled: true, inline: [inline.test], redis_key: " + KEY
                + ", redis_channel: " + CHANNEL + ", redis_reload_interval: 0}", true);
        assertTrue(p.pass("x@a.test"));
        sets.failure = new IllegalStateException("connection refused");
        sets.publish(CHANNEL);
        Await.until("a.test dropped", () -> !p.pass("x@a.test"));
        assertTrue(p.pass("x@inline.test"));
        assertTrue(log.contains(Level.WARNING, "with min_domains 0 the set holds only the other sources' domains"));
    }

    @Test
    void redisKeyWithoutARedisTierWarnsOnceInTheProblemListAndUsesTheOtherSources() {
        DomainPrefilter p = start("{enabled: true, inline: [inline.test], redis_key: " + KEY + "}", false);
        assertEquals(List.of("WARNING xspct_db_prefilter_domains.redis_key: '" + KEY + "' is not read: the Redis "
                + "cache is not enabled (xspct_db_redis_cache.enabled) or its plugin is not installed; the "
                + "prefilter domains come from inline and file only"), warnings());
        assertFalse(log.contains(Level.WARNING, "redis_key"), "the problem list is the one place that warns");
        assertEquals("ACTIVE", p.state());
        assertTrue(p.pass("a@inline.test"));
        assertFalse(p.pass("a@other.test"));
    }

    @Test
    void aTierOfferingSetsLeavesNothingToWarnAbout() {
        start("{enabled: true, inline: [inline.test], redis_key: " + KEY + ", redis_channel: " + CHANNEL
                + ", max_age: 3600}", true);
        assertEquals(List.of(), warnings());
    }

    /** {@return the prefilter's warnings in the problem list} */
    private List<String> warnings() {
        return root.problems().warnings().stream().filter(w -> w.path().startsWith("xspct_db_prefilter"))
                .map(xspct.core.config.Problems.Problem::line).toList();
    }

    @Test
    void nothingIsReadWhenTheDomainFilterIsOff() {
        start("{enabled: false, redis_key: " + KEY + ", redis_channel: " + CHANNEL + "}", true);
        assertEquals(0, sets.reads.get());
        assertTrue(sets.subscribers.isEmpty());
    }

    @Test
    void closingTheServiceEndsTheSubscription() {
        start("{enabled: true, redis_key: " + KEY + ", redis_channel: " + CHANNEL + "}", true);
        assertTrue(sets.subscribers.containsKey(CHANNEL));
        service.close();
        service = null;
        assertTrue(sets.subscribers.isEmpty());
    }
}
