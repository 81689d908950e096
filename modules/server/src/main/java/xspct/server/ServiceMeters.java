package xspct.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

import io.helidon.metrics.api.FunctionalCounter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;
import io.micrometer.core.instrument.FunctionCounter;
import xspct.core.stats.ChangeFeedStatistics;
import xspct.core.stats.Counters;
import xspct.core.stats.QueryTimings;
import xspct.core.stats.Statistics;

/**
 * The meters of the service's {@link Statistics}: its counters, per-query calls and latency, cache lookups per tier,
 * request slots, the prefilter's domain count, the change feeds, and the pool gauges of backends and cache tiers. Read through
 * function counters and gauges, so the request path pays nothing for them.
 */
final class ServiceMeters {
    private final Statistics stats;
    private final MeterRegistry registry;
    /** Micrometer's Prometheus registry, for the fractional function counters Helidon's API cannot make. */
    private final io.micrometer.core.instrument.MeterRegistry prometheus;
    private final Map<String, Timer> queryLatency = new ConcurrentHashMap<>();
    private final Map<String, Boolean> poolGauges = new ConcurrentHashMap<>();
    private final List<Object> pinned = new ArrayList<>();

    ServiceMeters(Statistics stats, MeterRegistry registry, io.micrometer.core.instrument.MeterRegistry prometheus) {
        this.stats = stats;
        this.registry = registry;
        this.prometheus = prometheus;
    }

    /** Registers the meters of the service's statistics. */
    void register() {
        for (Counters.Name n : Counters.Name.values()) {
            registry.getOrCreate(FunctionalCounter.builder("xspct_db_" + n.metric(), stats, c -> c.count(n))
                    .description(describe(n)));
        }
        registry.getOrCreate(Gauge.builder("xspct_db_prefilter_domain_count", stats,
                p -> p.prefilterDomainCount()).description("Size of the last accepted prefilter domain set"));

        // per query: created on the first call (the original emits a query's samples once it ran)
        QueryTimings timings = stats.queryTimings();
        timings.totals().keySet().forEach(this::queryMeters);
        timings.addListener((query, nanos) -> queryMeters(query).record(nanos, TimeUnit.NANOSECONDS));

        for (Statistics.CacheTierStatistics t : stats.cacheTiers()) {
            for (Statistics.LookupOutcome o : Statistics.LookupOutcome.values()) {
                registry.getOrCreate(FunctionalCounter.builder("xspct_db_cache_lookups", t, x -> x.lookups(o))
                        .tags(List.of(Tag.create("tier", t.name()), Tag.create("level", String.valueOf(t.level())),
                                Tag.create("result", o.name().toLowerCase(java.util.Locale.ROOT))))
                        .description("Object cache lookups per tier and outcome, all endpoints"));
            }
        }

        Statistics.SlotStatistics slots = stats.slots();
        slotGauge("foreground", "xspct_db_slots_in_use", slots::foregroundInUse);
        slotGauge("background", "xspct_db_slots_in_use", slots::backgroundInUse);
        slotGauge("foreground", "xspct_db_slots_limit", slots::foregroundLimit);
        slotGauge("background", "xspct_db_slots_limit", slots::backgroundLimit);
        registry.getOrCreate(Gauge.builder("xspct_db_tasks_running", slots, s -> s.activeTasks())
                .description("Lookup tasks still running, foreground or detached"));
        refreshPoolGauges();
        registerChangeFeedMeters();
    }

    /** Buckets of the change feed's eviction lag: the goal is every instance current within two seconds. */
    static final double[] CHANGE_LAG_BUCKETS = {0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60};

    /**
     * The states a change feed reports ({@code ChangeFeedStatus.state}), each a series of
     * {@code xspct_db_change_feed_state}: alert rules select the bad ones without knowing which are current.
     */
    static final List<String> CHANGE_FEED_STATES = List.of("starting", "leader", "follower", "tailing", "refreshing",
            "polling", "disconnected");

    /** Per change feed: events applied, flushes, lease held, state; one histogram of the eviction lag. */
    private void registerChangeFeedMeters() {
        ChangeFeedStatistics feeds = stats.changeFeeds();
        if (feeds.feeds().isEmpty()) {
            return;
        }
        for (ChangeFeedStatistics.Feed f : feeds.feeds()) {
            List<Tag> tags = List.of(Tag.create("query", f.query()));
            registry.getOrCreate(FunctionalCounter.builder("xspct_db_change_feed_events", f,
                            ChangeFeedStatistics.Feed::events)
                    .tags(tags).description("Change events applied (cache entries evicted) by a query's change feed"));
            registry.getOrCreate(FunctionalCounter.builder("xspct_db_change_feed_flushes", f,
                            ChangeFeedStatistics.Feed::flushes)
                    .tags(tags).description("Evictions of every cache entry by a query's change feed"));
            registry.getOrCreate(Gauge.builder("xspct_db_change_feed_leader", f, x -> x.status().leader() ? 1 : 0)
                    .tags(tags).description("1 when this instance holds the change feed lease of a query"));
            for (String state : CHANGE_FEED_STATES) {
                registry.getOrCreate(Gauge.builder("xspct_db_change_feed_state", f,
                                x -> state.equals(x.status().state()) ? 1 : 0)
                        .tags(List.of(Tag.create("query", f.query()), Tag.create("state", state)))
                        .description("1 for the state a query's change feed is in, 0 for the others"));
            }
        }
        Timer lag = registry.getOrCreate(Timer.builder("xspct_db_change_feed_lag_seconds")
                .description("From a change in the backend to its eviction being published")
                .percentiles(new double[0])
                .buckets(durations(CHANGE_LAG_BUCKETS)));
        feeds.addLagListener(nanos -> lag.record(nanos, TimeUnit.NANOSECONDS));
    }

    private void slotGauge(String kind, String name, IntSupplier value) {
        pinned.add(value); // Micrometer holds a gauge's state object weakly: keep the supplier alive
        registry.getOrCreate(Gauge.builder(name, value, IntSupplier::getAsInt)
                .tags(List.of(Tag.create("kind", kind)))
                .description("Request slots : in use, and configured"));
    }

    private Timer queryMeters(String query) {
        Timer t = queryLatency.get(query);
        if (t != null) {
            return t;
        }
        return queryLatency.computeIfAbsent(query, q -> {
            QueryTimings timings = stats.queryTimings();
            registry.getOrCreate(FunctionalCounter.builder("xspct_db_query_requests", timings,
                            tm -> tm.totals(q).count())
                    .tags(List.of(Tag.create("query", q)))
                    .description("Calls of a query"));
            registry.getOrCreate(FunctionalCounter.builder("xspct_db_query_errors", timings, tm -> tm.errors(q))
                    .tags(List.of(Tag.create("query", q)))
                    .description("Failed calls of a query (the backend failed or answered with an error)"));
            // fractional seconds: Helidon's functional counters are integral, Micrometer's are not
            FunctionCounter.builder("xspct_db_query_duration_seconds", timings, tm -> tm.totals(q).nanos() / 1e9)
                    .tag("query", q)
                    .description("Accumulated time of a query's calls")
                    .register(prometheus);
            return registry.getOrCreate(Timer.builder("xspct_db_query_latency_seconds")
                    .tags(List.of(Tag.create("query", q)))
                    .description("Latency of a query's backend calls")
                    .percentiles(new double[0])
                    .buckets(durations(ServerMetrics.QUERY_BUCKETS)));
        });
    }

    /**
     * Pool gauges of the backends ({@code ResourceGauges}), {@code xspct_db_backend_pool{query,state}}. A backend
     * may report a state only once its pool exists, so new states are picked up before every rendering.
     */
    private void refreshPoolGauges() {
        for (Statistics.BackendStatistics b : stats.backends()) {
            for (String state : gauges(b::gauges).keySet()) {
                if (poolGauges.putIfAbsent(b.query() + '\u0000' + state, Boolean.TRUE) == null) {
                    registry.getOrCreate(Gauge.builder("xspct_db_backend_pool", b, be -> gauge(be::gauges, state))
                            .tags(List.of(Tag.create("query", b.query()), Tag.create("state", state)))
                            .description("Connection pool of a query's backend"));
                }
            }
        }
    }

    /** Gauges of the cache tiers ({@code CacheTier#gauges()}), {@code xspct_db_cache_tier{tier,state}}. */
    private void refreshTierGauges() {
        for (Statistics.CacheTierStatistics t : stats.cacheTiers()) {
            for (String state : gauges(t::gauges).keySet()) {
                if (poolGauges.putIfAbsent("tier\u0000" + t.name() + '\u0000' + state, Boolean.TRUE) == null) {
                    registry.getOrCreate(Gauge.builder("xspct_db_cache_tier", t, x -> gauge(x::gauges, state))
                            .tags(List.of(Tag.create("tier", t.name()), Tag.create("state", state)))
                            .description("Resources of a cache tier, e.g. the Redis connection pool"));
                }
            }
        }
    }

    /** A plugin's gauges; a failing plugin reports none. */
    private static Map<String, Number> gauges(java.util.function.Supplier<Map<String, Number>> source) {
        try {
            return source.get();
        } catch (RuntimeException e) {
            return Map.of();
        }
    }

    private static double gauge(java.util.function.Supplier<Map<String, Number>> source, String state) {
        Number n = gauges(source).get(state);
        return n == null ? Double.NaN : n.doubleValue();
    }

    /** Picks up gauge states that backends and tiers report only once their pools exist. */
    void refreshGauges() {
        refreshPoolGauges();
        refreshTierGauges();
    }

    private static String describe(Counters.Name n) {
        return switch (n) {
            case REQUESTS -> "GET lookups, including refused and prefiltered ones";
            case REQUESTS_KNOWN -> "GET lookups that found the address";
            case REQUESTS_UNKNOWN -> "GET lookups that did not find the address";
            default -> n.metric().replace('_', ' ');
        };
    }

    private static Duration[] durations(double[] seconds) {
        return ServerMetrics.durations(seconds);
    }
}
