package xspct.cache.caffeine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import xspct.api.CacheContext;
import xspct.api.CacheLookup;
import xspct.api.CacheTier;
import xspct.api.GraceEntries;
import xspct.core.config.ConfigFile;
import xspct.core.config.Settings;

/** {@code xspct_db_local_cache.grace}: entries past their lifetime, kept for lookups whose backends fail. */
class GraceTierTest {
    private final CaffeineTierTest.FakeTicker ticker = new CaffeineTierTest.FakeTicker();

    private static LocalCacheSettings settings(String section) {
        Settings s = Settings.read(ConfigFile.parse("test", "xspct_db_local_cache: " + section));
        return LocalCacheSettings.read(s.section(CaffeineTierProvider.CONFIG_KEY));
    }

    private GraceTier tier() {
        LocalCacheSettings s = settings("{expire: 10, expire_negative: 5, grace: 60}");
        return new GraceTier(new CaffeineTier(s, ticker, Runnable::run), s, ticker, Runnable::run);
    }

    @Test
    void anEntryPastItsLifetimeIsOnlyStaleUntilTheGraceEnds() {
        GraceTier t = tier();
        t.store(Map.of("alice@ex.de", Map.of("mail", List.of("alice@ex.de"))), Map.of("a@ex.de", "alice@ex.de"));
        t.storeNegative(List.of("nobody@ex.de"));
        assertInstanceOf(CacheLookup.Positive.class, t.lookup("a@ex.de"));
        ticker.advance(Duration.ofSeconds(11));
        assertEquals(CacheLookup.MISS, t.lookup("a@ex.de"), "a normal lookup does not see it");
        CacheLookup.Positive p = assertInstanceOf(CacheLookup.Positive.class, t.stale("a@ex.de"));
        assertEquals("alice@ex.de", p.primaryKey());
        assertEquals(CacheLookup.NEGATIVE, t.stale("nobody@ex.de"));
        ticker.advance(Duration.ofSeconds(60));
        assertEquals(CacheLookup.MISS, t.stale("a@ex.de"));
        assertEquals(CacheLookup.MISS, t.stale("nobody@ex.de"));
    }

    @Test
    void anInvalidatedEntryIsNeverServedStale() {
        GraceTier t = tier();
        t.store(Map.of("alice@ex.de", Map.of("mail", List.of("alice@ex.de"))), Map.of("a@ex.de", "alice@ex.de",
                "alice@ex.de", "alice@ex.de"));
        t.invalidate(List.of("a@ex.de"));
        assertEquals(CacheLookup.MISS, t.stale("a@ex.de"));
        assertEquals(CacheLookup.MISS, t.stale("alice@ex.de"), "the user behind the alias is gone too");
        t.storeNegative(List.of("x@ex.de"));
        t.invalidateAll();
        assertEquals(CacheLookup.MISS, t.stale("x@ex.de"));
    }

    @Test
    void withoutGraceTheTierKeepsNoStaleEntries() {
        CacheTier plain = new CaffeineTierProvider().create(new CacheContext(Settings.read(ConfigFile.parse("t",
                "xspct_db_local_cache: {expire: 10}")).section(CaffeineTierProvider.CONFIG_KEY), null)).orElseThrow();
        assertFalse(plain instanceof GraceEntries);
        CacheTier graceful = new CaffeineTierProvider().create(new CacheContext(Settings.read(ConfigFile.parse("t",
                "xspct_db_local_cache: {grace: 30}")).section(CaffeineTierProvider.CONFIG_KEY), null)).orElseThrow();
        assertTrue(graceful instanceof GraceEntries);
    }

    @Test
    void aNegativeGraceIsAProblemOfItsKey() {
        var root = ConfigFile.parse("t", "xspct_db_local_cache: {grace: -1}");
        LocalCacheSettings.read(Settings.read(root).section(CaffeineTierProvider.CONFIG_KEY));
        assertTrue(ConfigFile.problemsOf(root).list().stream()
                .anyMatch(m -> m.startsWith("xspct_db_local_cache.grace")), ConfigFile.problemsOf(root).list()
                .toString());
    }
}
