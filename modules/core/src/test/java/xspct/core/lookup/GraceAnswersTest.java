package xspct.core.lookup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static xspct.core.lookup.TestService.user;
import static xspct.core.lookup.TestService.users;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import xspct.api.BackendResult;
import xspct.api.CacheContext;
import xspct.api.CacheLookup;
import xspct.api.CacheTier;
import xspct.api.CacheTierProvider;
import xspct.api.GraceEntries;
import xspct.core.Reply;
import xspct.core.XspctService;
import xspct.core.stats.Counters.Name;

/** Stale-if-error: entries past their lifetime answer only when the backends fail, and only completely. */
class GraceAnswersTest {

    /** An L1 whose live entries the test expires by hand; expired entries stay readable through {@link #stale}. */
    static final class ExpiringTier implements CacheTier, GraceEntries {
        final Map<String, String> aliases = new ConcurrentHashMap<>();
        final Map<String, Map<String, Object>> users = new ConcurrentHashMap<>();
        final Map<String, Boolean> negative = new ConcurrentHashMap<>();
        final AtomicBoolean expired = new AtomicBoolean();
        final AtomicInteger stores = new AtomicInteger();

        @Override
        public CacheLookup lookup(String address) {
            return expired.get() ? CacheLookup.MISS : stale(address);
        }

        @Override
        public CacheLookup stale(String address) {
            String pk = aliases.get(address);
            if (pk != null && users.containsKey(pk)) {
                return new CacheLookup.Positive(pk, users.get(pk));
            }
            return negative.containsKey(address) ? CacheLookup.NEGATIVE : CacheLookup.MISS;
        }

        @Override
        public void store(Map<String, Map<String, Object>> u, Map<String, String> a) {
            stores.incrementAndGet();
            users.putAll(u);
            aliases.putAll(a);
        }

        @Override
        public void storeNegative(Collection<String> addresses) {
            addresses.forEach(x -> negative.put(x, true));
        }

        @Override
        public void invalidate(Collection<String> addresses) {
            addresses.forEach(aliases::remove);
        }

        @Override
        public void invalidateAll() {
            aliases.clear();
        }

        CacheTierProvider provider() {
            ExpiringTier self = this;
            return new CacheTierProvider() {
                @Override
                public String name() {
                    return "expiring";
                }

                @Override
                public String configKey() {
                    return "xspct_db_local_cache";
                }

                @Override
                public int level() {
                    return 1;
                }

                @Override
                public Optional<CacheTier> create(CacheContext context) {
                    return Optional.of(self);
                }
            };
        }
    }

    private static final String YAML = """
            xspct_db_api_key: k
            xspct_db_queries:
              users:
                db_type: flaky
            """;

    @Test
    void staleEntriesAnswerOnlyWhileTheBackendsFail() throws Exception {
        AtomicBoolean failing = new AtomicBoolean();
        var data = TestService.mapBackend("x", Map.of("alice@ex.de", user("mail", "alice@ex.de")));
        var flaky = new TestService.FnProvider("flaky", r -> failing.get()
                ? BackendResult.failed("500 LDAP connection error") : data.fn.apply(r));
        ExpiringTier l1 = new ExpiringTier();
        try (XspctService s = TestService.start(YAML, List.of(flaky), List.of(l1.provider()))) {
            var fresh = users(s.lookups().get("alice@ex.de"));
            assertEquals(List.of("alice@ex.de"), List.copyOf(fresh.keySet()));
            assertEquals(Map.of(), users(s.lookups().get("nobody@ex.de")));
            l1.expired.set(true);
            failing.set(true);
            int stores = l1.stores.get();

            assertEquals(fresh, users(s.lookups().get("alice@ex.de")), "served from the grace entry");
            assertEquals(Map.of(), users(s.lookups().get("nobody@ex.de")), "a stale negative entry answers too");
            assertEquals(Map.of("alice@ex.de", fresh.get("alice@ex.de")),
                    users(s.lookups().batch(List.of("alice@ex.de", "nobody@ex.de"))));
            assertEquals(3, s.statistics().count(Name.LOCAL_CACHE_GRACE_HITS));
            assertEquals(stores, l1.stores.get(), "a stale answer is not written back");

            assertEquals(new Reply.Failure("500 LDAP connection error"),
                    s.lookups().batch(List.of("alice@ex.de", "carol@ex.de")), "carol has no entry: the error stands");

            failing.set(false);
            assertEquals(fresh, users(s.lookups().get("alice@ex.de")));
            assertEquals(3, s.statistics().count(Name.LOCAL_CACHE_GRACE_HITS), "the backends answer again");
        }
    }
}
