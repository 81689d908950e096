package xspct.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import xspct.api.ConfigNode;
import xspct.api.PooledBackend;
import xspct.core.prefilter.PrefilterSettings;
import xspct.core.stats.Counters.Name;
import xspct.core.stats.Statistics;

/**
 * The periodic {@code STATS} log lines , on when {@code xspct_db_stats_enabled} (default true): pool
 * sizes are sampled every {@code xspct_db_stats_sample_interval} seconds, and every {@code xspct_db_stats_interval}
 * seconds one summary is logged at INFO, e.g.
 *
 * <pre>
 * STATS requests_total=12 requests_known=10 requests_unknown=2
 * STATS local_cache_hits=7 local_cache_misses=5 local_hit_rate=58.3%
 * STATS pool[people] conns min=2 avg=2.5 max=3
 * STATS query[people] count=5 avg=0.00210s min=0.00101s max=0.00400s
 * </pre>
 */
public final class StatsLog {
    private static final System.Logger LOG = System.getLogger(StatsLog.class.getName());

    private final Statistics stats;
    private final PrefilterSettings prefilter;
    private final List<Pool> pools;
    private final Consumer<String> out;
    private final List<ScheduledFuture<?>> tasks = new ArrayList<>();

    /**
     * The stats settings.
     *
     * @param enabled        {@code xspct_db_stats_enabled}
     * @param interval       {@code xspct_db_stats_interval} in seconds
     * @param sampleInterval {@code xspct_db_stats_sample_interval} in seconds
     */
    public record Settings(boolean enabled, double interval, double sampleInterval) {
        /**
         * Reads the three keys; non-positive intervals are configuration problems.
         *
         * @param root the configuration root
         * @return the settings
         */
        public static Settings read(ConfigNode root) {
            return new Settings(root.get("xspct_db_stats_enabled").asBoolean(true),
                    positive(root.get("xspct_db_stats_interval"), 60),
                    positive(root.get("xspct_db_stats_sample_interval"), 10));
        }

        private static double positive(ConfigNode n, double def) {
            double v = n.asDouble(def);
            if (!(v > 0)) {
                n.problem("must be greater than 0, got " + v);
                return def;
            }
            return v;
        }
    }

    /** A query whose backend has a connection pool, sampled for the {@code STATS pool[...]} lines. */
    private record Pool(Statistics.BackendStatistics backend, PooledBackend pool, List<Integer> samples) {
    }

    /**
     * Creates the log.
     *
     * @param stats     the service's statistics
     * @param prefilter the prefilter settings (which prefilter lines are written)
     * @param out       where lines go
     */
    StatsLog(Statistics stats, PrefilterSettings prefilter, Consumer<String> out) {
        this.stats = stats;
        this.prefilter = prefilter;
        this.out = out;
        List<Pool> p = new ArrayList<>();
        for (Statistics.BackendStatistics b : stats.backends()) {
            b.pool().ifPresent(pool -> p.add(new Pool(b, pool, new ArrayList<>())));
        }
        this.pools = List.copyOf(p);
    }

    /** Logs one line; named so, as the log line shows the function that wrote it. */
    static void stats(String line) {
        LOG.log(System.Logger.Level.INFO, line);
    }

    /**
     * Starts sampling and logging on the scheduler.
     *
     * @param scheduler      the service's scheduler
     * @param settings       the intervals
     */
    void start(ScheduledExecutorService scheduler, Settings settings) {
        long sample = (long) (settings.sampleInterval() * 1000);
        long interval = (long) (settings.interval() * 1000);
        if (!pools.isEmpty()) {
            tasks.add(scheduler.scheduleAtFixedRate(guarded(this::sample), sample, sample, TimeUnit.MILLISECONDS));
        }
        tasks.add(scheduler.scheduleAtFixedRate(guarded(this::logStats), interval, interval, TimeUnit.MILLISECONDS));
    }

    private static Runnable guarded(Runnable r) {
        return () -> {
            try {
                r.run();
            } catch (RuntimeException e) {
                // a failing plugin gauge must not end the periodic task for good
                LOG.log(System.Logger.Level.WARNING, "stats: " + e);
            }
        };
    }

    /** Samples the size of every pool. */
    synchronized void sample() {
        for (Pool p : pools) {
            p.samples().add(size(p.backend().gauges()));
        }
    }

    /** Pool size from a backend's gauges: {@code total} when reported, else {@code active + idle}. */
    private static int size(Map<String, Number> g) {
        Number total = g.get("total");
        if (total != null) {
            return total.intValue();
        }
        return intOf(g.get("active")) + intOf(g.get("idle"));
    }

    private static int intOf(Number n) {
        return n == null ? 0 : n.intValue();
    }

    /** Writes one summary. */
    synchronized void logStats() {
        out.accept("STATS requests_total=" + get(Name.REQUESTS) + " requests_known=" + get(Name.REQUESTS_KNOWN)
                + " requests_unknown=" + get(Name.REQUESTS_UNKNOWN));
        if (stats.cacheTiers().stream().anyMatch(t -> t.level() == 1)) {
            long h = get(Name.LOCAL_CACHE_HITS);
            long m = get(Name.LOCAL_CACHE_MISSES);
            out.accept("STATS local_cache_hits=" + h + " local_cache_misses=" + m + " local_hit_rate="
                    + rate(h, h + m));
        }
        if (stats.cacheTiers().stream().anyMatch(t -> t.level() > 1)) {
            long h = get(Name.SHARED_CACHE_HITS);
            long m = get(Name.SHARED_CACHE_MISSES);
            long n = get(Name.SHARED_CACHE_NEGATIVE_HITS);
            out.accept("STATS redis_hits=" + h + " redis_misses=" + m + " redis_neg_hits=" + n + " redis_hit_rate="
                    + rate(h, h + m + n));
        }
        if (prefilter.enabled() && prefilter.domainsEnabled()) {
            long h = get(Name.PREFILTER_DOMAIN_HITS);
            long m = get(Name.PREFILTER_DOMAIN_MISSES);
            out.accept("STATS prefilter_domains count=" + stats.prefilterDomainCount() + " hits=" + h + " misses=" + m
                    + " hit_rate=" + rate(h, h + m));
        }
        if (prefilter.enabled() && prefilter.patternsEnabled()) {
            long h = get(Name.PREFILTER_PATTERN_HITS);
            long m = get(Name.PREFILTER_PATTERN_MISSES);
            out.accept("STATS prefilter_patterns hits=" + h + " misses=" + m + " hit_rate=" + rate(h, h + m));
        }
        String poolLine = poolLine();
        if (!poolLine.isEmpty()) {
            out.accept("STATS" + poolLine);
        }
        for (Pool p : pools) {
            if (p.samples().isEmpty()) {
                continue;
            }
            int min = Integer.MAX_VALUE;
            int max = 0;
            long sum = 0;
            for (int s : p.samples()) {
                min = Math.min(min, s);
                max = Math.max(max, s);
                sum += s;
            }
            String line = "STATS pool[" + p.backend().query() + "] conns min=" + min + " avg="
                    + String.format(Locale.ROOT, "%.1f", (double) sum / p.samples().size()) + " max=" + max;
            int limit = p.pool().poolLimit();
            if (max >= limit) {
                line += " limit=" + limit + " LIMIT_REACHED";
            }
            out.accept(line);
            p.samples().clear();
        }
        stats.queryTimings().totals().forEach((name, t) -> {
            if (t.count() > 0) {
                out.accept("STATS query[" + name + "] count=" + t.count() + " avg=" + seconds(t.nanos() / t.count())
                        + " min=" + seconds(t.minNanos()) + " max=" + seconds(t.maxNanos()));
            }
        });
    }

    /**
     * {@code redis_connections=n} when the shared tier reports its pool, then one {@code <family>_pools={...}} per
     * pool family ({@code ldap_pools={'name': size}}, {@code mysql_pools={'name': {'size': n, 'free': n}}}), as
     * Python prints them.
     */
    private String poolLine() {
        Map<String, Map<String, String>> families = new TreeMap<>(); // families in name order, as the original
        for (Pool p : pools) {
            families.computeIfAbsent(p.pool().poolFamily(), f -> new LinkedHashMap<>())
                    .put("'" + p.backend().query() + "'", p.pool().poolSummary());
        }
        StringBuilder sb = new StringBuilder();
        for (Statistics.CacheTierStatistics t : stats.cacheTiers()) {
            Map<String, Number> g = t.gauges();
            if (t.level() > 1 && !g.isEmpty()) { // the shared tier's pool, under the original's name
                sb.append(" redis_connections=").append(size(g));
            }
        }
        families.forEach((family, summaries) -> sb.append(' ').append(family).append("_pools=")
                .append(dict(summaries)));
        return sb.toString();
    }

    private static String dict(Map<String, String> m) {
        StringBuilder sb = new StringBuilder("{");
        m.forEach((k, v) -> sb.append(sb.length() > 1 ? ", " : "").append(k).append(": ").append(v));
        return sb.append('}').toString();
    }

    private long get(Name n) {
        return stats.count(n);
    }

    private static String rate(long hits, long total) {
        return String.format(Locale.ROOT, "%.1f%%", total == 0 ? 0.0 : 100.0 * hits / total);
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.5fs", nanos / 1e9);
    }

    /** Stops the periodic tasks. */
    void stop() {
        tasks.forEach(t -> t.cancel(false));
    }
}
