package xspct.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.Test;
import xspct.api.Backend;
import xspct.api.BackendResult;
import xspct.api.LookupRequest;
import xspct.api.PooledBackend;
import xspct.api.ResourceGauges;
import xspct.api.testing.NoopCacheTier;
import xspct.core.config.ConfigFile;
import xspct.core.config.Settings;
import xspct.core.lookup.CacheTiers;
import xspct.core.lookup.ConfiguredQuery;
import xspct.core.admission.RequestSlots;
import xspct.core.stats.Counters;
import xspct.core.stats.QueryTimings;
import xspct.core.lookup.WildcardKeys;
import xspct.core.prefilter.DomainPrefilter;
import xspct.core.prefilter.PrefilterSettings;
import xspct.core.log.LogContext;

/** The STATS lines in the original's format, and the request tag carried across threads. */
// resources held for their effect
@SuppressWarnings("try")
class StatsLogTest {
    /** A pooled backend whose pool size the test sets, reporting its pool as the MySQL backend does. */
    static final class PoolBackend implements Backend, PooledBackend, ResourceGauges {
        volatile int total = 2;

        @Override
        public String poolFamily() {
            return "mysql";
        }

        @Override
        public int poolLimit() {
            return 3;
        }

        @Override
        public String poolSummary() {
            return "{'size': " + total + ", 'free': 1}";
        }

        @Override
        public BackendResult lookup(List<LookupRequest> requests) {
            return BackendResult.of(List.of());
        }

        @Override
        public Map<String, Number> gauges() {
            return Map.of("active", 1, "idle", 1, "total", total);
        }
    }

    @Test
    void linesHaveTheOriginalsFormat() {
        Settings settings = Settings.read(ConfigFile.parse("test", """
                xspct_db_mysql_pool_maxconn: 3
                xspct_db_queries:
                  people:
                    db_type: mysql
                """));
        PoolBackend backend = new PoolBackend();
        ConfiguredQuery people = new ConfiguredQuery(settings.queries().get(0), backend,
                WildcardKeys.of(settings.queries().get(0)));
        Counters counters = new Counters();
        for (int i = 0; i < 3; i++) {
            counters.inc(Counters.Name.REQUESTS);
            counters.inc(Counters.Name.LOCAL_CACHE_HITS);
        }
        counters.inc(Counters.Name.REQUESTS_KNOWN);
        counters.inc(Counters.Name.LOCAL_CACHE_MISSES);
        counters.inc(Counters.Name.SHARED_CACHE_HITS);
        QueryTimings timings = new QueryTimings();
        timings.record("people", 1_000_000);
        timings.record("people", 3_000_000);
        CacheTiers caches = new CacheTiers(List.of(new CacheTiers.Tier(1, new NoopCacheTier()),
                new CacheTiers.Tier(2, new NoopCacheTier())));
        PrefilterSettings prefilter = new PrefilterSettings(true, true, List.of(), true, List.of("example.org"), null,
                0, "", "", 0, 0, 0);
        List<String> lines = new ArrayList<>();
        DomainPrefilter domains = new DomainPrefilter(prefilter, counters, System::nanoTime);
        domains.start();
        ServiceStatistics stats = new ServiceStatistics(counters, timings, caches, List.of(people),
                new RequestSlots(1, 1, counters), 1, 1, domains);
        StatsLog log = new StatsLog(stats, prefilter, lines::add);
        log.sample();
        backend.total = 3;
        log.sample();
        log.logStats();
        assertEquals(List.of(
                "STATS requests_total=3 requests_known=1 requests_unknown=0",
                "STATS local_cache_hits=3 local_cache_misses=1 local_hit_rate=75.0%",
                "STATS redis_hits=1 redis_misses=0 redis_neg_hits=0 redis_hit_rate=100.0%",
                "STATS prefilter_domains count=1 hits=0 misses=0 hit_rate=0.0%",
                "STATS prefilter_patterns hits=0 misses=0 hit_rate=0.0%",
                "STATS mysql_pools={'people': {'size': 3, 'free': 1}}",
                "STATS pool[people] conns min=2 avg=2.5 max=3 limit=3 LIMIT_REACHED",
                "STATS query[people] count=2 avg=0.00200s min=0.00100s max=0.00300s"), lines);

        lines.clear();
        log.logStats();
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("STATS pool[")), "samples are cleared: " + lines);
    }

    @Test
    void settingsAreValidated() {
        var root = ConfigFile.parse("test", "xspct_db_stats_interval: 0\nxspct_db_stats_enabled: false\n");
        StatsLog.Settings s = StatsLog.Settings.read(root);
        assertEquals(false, s.enabled());
        assertEquals(60.0, s.interval());
        assertTrue(root.problems().list().get(0).contains("xspct_db_stats_interval"), root.problems().list()
                .toString());
    }

    @Test
    void requestTagFollowsTheTaskToOtherThreads() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (LogContext.Scope s = LogContext.open("abc12345 rspamd=X1")) {
            Callable<String> task = LogContext.propagate(LogContext::current);
            assertEquals("abc12345 rspamd=X1", pool.submit(task).get());
            assertEquals("", pool.submit((Callable<String>) LogContext::current).get(), "no tag without propagation");
        } finally {
            pool.shutdownNow();
        }
        assertEquals("", LogContext.current(), "closing restores the previous (absent) tag");
    }
}
