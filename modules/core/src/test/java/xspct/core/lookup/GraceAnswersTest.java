package xspct.core.lookup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static xspct.core.lookup.TestService.user;
import static xspct.core.lookup.TestService.users;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import xspct.api.BackendResult;
import xspct.api.CacheLookup;
import xspct.api.GraceEntries;
import xspct.core.Reply;
import xspct.core.XspctService;
import xspct.core.stats.Counters.Name;
import xspct.core.testing.MemoryTier;

/** Stale-if-error: entries past their lifetime answer only when the backends fail, and only completely. */
class GraceAnswersTest {

    /** An L1 whose live entries the test expires by hand; expired entries stay readable through {@link #stale}. */
    /** An L1 whose entries can all be made past their TTL at once: then they answer only as grace entries. */
    static final class ExpiringTier extends MemoryTier implements GraceEntries {
        final AtomicBoolean expired = new AtomicBoolean();

        @Override
        public CacheLookup lookup(String address) {
            return expired.get() ? CacheLookup.MISS : super.lookup(address);
        }

        @Override
        public CacheLookup stale(String address) {
            return super.lookup(address);
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
