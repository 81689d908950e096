package xspct.cache.caffeine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.github.benmanes.caffeine.cache.Ticker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import xspct.api.CacheContext;
import xspct.api.CacheLookup;
import xspct.api.testing.MapConfigNode;
import xspct.core.config.ConfigException;
import xspct.core.config.ConfigFile;
import xspct.core.config.Settings;

class CaffeineTierTest {

    /** A clock the test moves by hand: expiry is checked without sleeping. */
    static final class FakeTicker implements Ticker {
        private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

        @Override
        public long read() {
            return nanos.get();
        }

        void advance(Duration d) {
            nanos.addAndGet(d.toNanos());
        }
    }

    private final FakeTicker ticker = new FakeTicker();

    private static LocalCacheSettings settings(String yaml) {
        Settings s = Settings.read(ConfigFile.parse("test", yaml));
        return LocalCacheSettings.read(s.section(CaffeineTierProvider.CONFIG_KEY));
    }

    private CaffeineTier tier(String sectionYaml) {
        return new CaffeineTier(settings("xspct_db_local_cache: " + sectionYaml), ticker, Runnable::run);
    }

    private static Map<String, Object> user(String mail) {
        Map<String, Object> u = new LinkedHashMap<>();
        u.put("mail", new ArrayList<>(List.of(mail)));
        u.put("aliases", new ArrayList<>(List.of("alias-" + mail)));
        return u;
    }

    @Test
    void defaultsMatchTheOriginal() {
        LocalCacheSettings s = settings("{}");
        assertTrue(s.enabled());
        assertEquals(Duration.ofSeconds(20), s.expire());
        assertEquals(Duration.ofSeconds(20), s.expireNegative());
        assertEquals(10000, s.maxEntries());
        LocalCacheSettings some = settings("xspct_db_local_cache: {expire: 5}");
        assertEquals(Duration.ofSeconds(5), some.expire());
        assertEquals(10000, some.maxEntries(), "the defaults fill in the keys the section leaves out");
    }

    @Test
    void providerDescribesItselfAndIsDisabledByTheSection() {
        CaffeineTierProvider p = new CaffeineTierProvider();
        assertEquals("caffeine", p.name());
        assertEquals("xspct_db_local_cache", p.configKey());
        assertEquals(1, p.level());
        Settings off = Settings.read(ConfigFile.parse("t", "xspct_db_local_cache: {enabled: false}"));
        assertTrue(p.create(new CacheContext(off.section(p.configKey()), off.root())).isEmpty());
        Settings on = Settings.read(ConfigFile.parse("t", ""));
        assertTrue(p.create(new CacheContext(on.section(p.configKey()), on.root())).isPresent());
    }

    @Test
    void badValuesAreReportedWithTheirKey() {
        MapConfigNode root = MapConfigNode.of(
                Map.of("xspct_db_local_cache", Map.of("expire", -1, "max_entries", "lots")));
        LocalCacheSettings.read(root.get(CaffeineTierProvider.CONFIG_KEY));
        String problems = String.join("\n", root.problems());
        assertTrue(problems.contains("xspct_db_local_cache.expire"), problems);
        assertTrue(problems.contains("xspct_db_local_cache.max_entries"), problems);
    }

    @Test
    void lookupFollowsAliasThenUserThenNegative() {
        CaffeineTier t = tier("{}");
        assertEquals(CacheLookup.MISS, t.lookup("a@x"));
        t.store(Map.of("pk1", user("a@x")), Map.of("a@x", "pk1", "b@x", "pk1", "dangling@x", "pk2"));
        CacheLookup.Positive p = assertInstanceOf(CacheLookup.Positive.class, t.lookup("b@x"));
        assertEquals("pk1", p.primaryKey());
        assertEquals(user("a@x"), p.user());
        // an alias whose user is absent is no answer
        assertEquals(CacheLookup.MISS, t.lookup("dangling@x"));
        t.storeNegative(List.of("dangling@x", "n@x"));
        assertEquals(CacheLookup.NEGATIVE, t.lookup("dangling@x"));
        assertEquals(CacheLookup.NEGATIVE, t.lookup("n@x"));
        // keys are verbatim: no case folding
        assertEquals(CacheLookup.MISS, t.lookup("N@x"));
        // a positive answer wins over a negative entry of the same address
        t.storeNegative(List.of("a@x"));
        assertInstanceOf(CacheLookup.Positive.class, t.lookup("a@x"));
    }

    @ParameterizedTest(name = "expire={0} expire_negative={1}")
    @CsvSource({"20, 20", "5, 60", "60, 5", "0.5, 1.5"})
    void entriesExpireTheirTtlAfterTheLastWrite(double expire, double expireNegative) {
        CaffeineTier t = tier("{expire: " + expire + ", expire_negative: " + expireNegative + "}");
        Duration ttl = Duration.ofNanos((long) (expire * 1e9));
        Duration negTtl = Duration.ofNanos((long) (expireNegative * 1e9));
        t.store(Map.of("pk", user("a@x")), Map.of("a@x", "pk"));
        t.storeNegative(List.of("n@x"));

        ticker.advance(ttl.minusMillis(1));
        assertInstanceOf(CacheLookup.Positive.class, t.lookup("a@x"));
        // rewriting restarts the clock (expireAfterWrite), reading does not
        t.store(Map.of("pk", user("a@x")), Map.of("a@x", "pk"));
        ticker.advance(ttl.minusMillis(1));
        assertInstanceOf(CacheLookup.Positive.class, t.lookup("a@x"));
        ticker.advance(Duration.ofMillis(2));
        assertEquals(CacheLookup.MISS, t.lookup("a@x"));

        FakeTicker own = new FakeTicker();
        CaffeineTier n = new CaffeineTier(settings("xspct_db_local_cache: {expire: " + expire
                + ", expire_negative: " + expireNegative + "}"), own, Runnable::run);
        n.storeNegative(List.of("n@x"));
        own.advance(negTtl.minusMillis(1));
        assertEquals(CacheLookup.NEGATIVE, n.lookup("n@x"));
        own.advance(Duration.ofMillis(2));
        assertEquals(CacheLookup.MISS, n.lookup("n@x"));
    }

    @Test
    void expireZeroKeepsNothing() {
        CaffeineTier t = tier("{expire: 0, expire_negative: 0}");
        t.store(Map.of("pk", user("a@x")), Map.of("a@x", "pk"));
        t.storeNegative(List.of("n@x"));
        assertEquals(CacheLookup.MISS, t.lookup("a@x"));
        assertEquals(CacheLookup.MISS, t.lookup("n@x"));
    }

    @ParameterizedTest(name = "max_entries={0}, primary key is the address: {1}")
    @CsvSource({"1, true", "10, true", "100, true", "1, false", "10, false", "100, false"})
    void entriesAreBoundedByMaxEntries(int max, boolean selfKeyed) {
        CaffeineTier t = tier("{max_entries: " + max + "}");
        for (int i = 0; i < max * 20; i++) {
            String pk = selfKeyed ? i + "@x" : "pk" + i;
            t.store(Map.of(pk, user(i + "@x")), Map.of(i + "@x", pk));
            t.storeNegative(List.of("n" + i + "@x"));
        }
        t.cleanUp();
        long[] sizes = t.sizes();
        // users and aliases share the bound of 2 * max_entries; an address that is its own key takes one of each
        assertTrue(sizes[0] + sizes[1] <= 2L * max, "users and aliases hold " + (sizes[0] + sizes[1]));
        assertTrue(sizes[2] <= max, "negative entries hold " + sizes[2] + ", bound " + max);
        if (selfKeyed) {
            assertTrue(sizes[1] <= max, "users hold " + sizes[1] + ", bound " + max);
        }
        assertTrue(sizes[0] > 0 && sizes[1] > 0 && sizes[2] > 0, "entries are kept up to the bound");
    }

    @Test
    void maxBytesBoundsTheEstimatedHeapOfUsersAndAliases() {
        long maxBytes = 64 * 1024;
        CaffeineTier t = tier("{max_entries: 1000000, max_bytes: 64k}");
        for (int i = 0; i < 10_000; i++) {
            String a = "user" + i + "@example.com";
            t.store(Map.of(a, user(a)), Map.of(a, a));
        }
        t.cleanUp();
        long[] sizes = t.sizes();
        long perEntry = EntrySize.of("user1000@example.com", new Slot(Slot.SELF,
                CompactUser.encode(user("user1000@example.com"), new AttributeNames())));
        assertTrue(sizes[1] * perEntry <= maxBytes + perEntry * 10, sizes[1] + " users of about " + perEntry
                + " bytes exceed 64 KiB");
        assertTrue(sizes[1] >= maxBytes / perEntry / 2, "the budget is used: " + sizes[1] + " users kept");
        // the newest entries are kept and answer
        assertInstanceOf(CacheLookup.Positive.class, t.lookup("user9999@example.com"));
    }

    @ParameterizedTest(name = "max_bytes: {0}")
    @CsvSource(delimiter = '|', value = {"1024|1024", "'2k'|2048", "'3 M'|3145728", "'1G'|1073741824",
            "0|0", "null|0"})
    void maxBytesAcceptsBinarySuffixes(String yaml, long expected) {
        assertEquals(expected, settings("xspct_db_local_cache: {max_bytes: " + yaml + "}").maxBytes());
        assertEquals(0, settings("xspct_db_local_cache: {}").maxBytes(), "off by default");
    }

    @ParameterizedTest(name = "max_bytes: {0}")
    @CsvSource(delimiter = '|', value = {"-1", "lots", "'12T'", "1.5", "true", "'k'"})
    void badMaxBytesIsReportedWithItsKey(String yaml) {
        var root = ConfigFile.parse("t", "xspct_db_local_cache: {max_bytes: " + yaml + "}");
        LocalCacheSettings.read(Settings.read(root).section(CaffeineTierProvider.CONFIG_KEY));
        ConfigException e = assertThrows(ConfigException.class, () -> root.problems().throwIfAny("t"));
        assertTrue(e.getMessage().contains("xspct_db_local_cache.max_bytes: must be a number of bytes"),
                e.getMessage());
    }

    @Test
    void storesAnImmutableDeepCopy() {
        CaffeineTier t = tier("{}");
        Map<String, Object> u = user("a@x");
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("k", new ArrayList<>(List.of("v")));
        nested.put("none", null);
        u.put("nested", nested);
        t.store(Map.of("pk", u), Map.of("a@x", "pk"));
        // the caller keeps mutating its request-local objects
        u.put("mail", List.of("changed"));
        @SuppressWarnings("unchecked")
        List<Object> l = (List<Object>) nested.get("k");
        l.add("more");

        Map<String, Object> cached = ((CacheLookup.Positive) t.lookup("a@x")).user();
        assertEquals(List.of("a@x"), cached.get("mail"));
        @SuppressWarnings("unchecked")
        Map<String, Object> cachedNested = (Map<String, Object>) cached.get("nested");
        assertEquals(List.of("v"), cachedNested.get("k"));
        assertTrue(cachedNested.containsKey("none"));
        assertEquals(List.of("mail", "aliases", "nested"), List.copyOf(cached.keySet()), "order is kept");
        assertThrows(UnsupportedOperationException.class, () -> cached.put("x", "y"));
        assertThrows(UnsupportedOperationException.class, () -> cachedNested.put("x", "y"));
        @SuppressWarnings("unchecked")
        List<Object> cachedList = (List<Object>) cached.get("mail");
        assertThrows(UnsupportedOperationException.class, () -> cachedList.add("z"));
    }

    @Test
    void invalidateRemovesAliasNegativeAndUserEntries() {
        CaffeineTier t = tier("{}");
        t.store(Map.of("uid1", user("a@x"), "b@x", user("b@x")),
                Map.of("a@x", "uid1", "alias-a@x", "uid1", "b@x", "b@x"));
        t.storeNegative(List.of("n@x", "m@x"));
        t.invalidate(List.of("a@x", "b@x", "n@x"));
        assertEquals(CacheLookup.MISS, t.lookup("a@x"));
        assertEquals(CacheLookup.MISS, t.lookup("b@x"));
        assertEquals(CacheLookup.MISS, t.lookup("n@x"));
        assertEquals(CacheLookup.NEGATIVE, t.lookup("m@x"), "other entries stay");
        // the user a@x pointed to is gone, so its other aliases do not answer with the old object
        assertEquals(CacheLookup.MISS, t.lookup("alias-a@x"));
        t.invalidateAll();
        assertEquals(CacheLookup.MISS, t.lookup("m@x"));
        assertTrue(java.util.Arrays.stream(t.sizes()).allMatch(s -> s == 0));
    }

    @Test
    void concurrentReadersAndWritersSeeConsistentEntries() throws Exception {
        CaffeineTier t = tier("{max_entries: 100000}");
        int threads = 4;
        int perThread = 2000;
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService ex = Executors.newFixedThreadPool(threads)) {
            List<Future<Integer>> results = new ArrayList<>();
            for (int n = 0; n < threads; n++) {
                int id = n;
                results.add(ex.submit(() -> {
                    start.await();
                    int wrong = 0;
                    for (int i = 0; i < perThread; i++) {
                        String a = id + "-" + i + "@x";
                        t.store(Map.of("pk" + a, user(a)), Map.of(a, "pk" + a));
                        if (!(t.lookup(a) instanceof CacheLookup.Positive p) || !p.primaryKey().equals("pk" + a)
                                || !p.user().equals(user(a))) {
                            wrong++;
                        }
                        t.invalidate(List.of(id + "-" + (i / 2) + "@x"));
                    }
                    return wrong;
                }));
            }
            start.countDown();
            for (Future<Integer> f : results) {
                assertEquals(0, f.get(60, TimeUnit.SECONDS));
            }
        }
    }
}
