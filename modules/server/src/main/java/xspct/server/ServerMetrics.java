package xspct.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.FunctionalCounter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.MeterRegistryFormatter;
import io.helidon.metrics.api.MetricsConfig;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;
import io.helidon.metrics.spi.MeterRegistryFormatterProvider;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import xspct.api.Backend;
import xspct.core.XspctService;
import xspct.core.changefeed.ChangeFeeds;
import xspct.core.endpoint.RequestSlots;
import xspct.core.pipeline.CacheTiers;
import xspct.core.pipeline.ConfiguredQuery;
import xspct.core.pipeline.Counters;
import xspct.core.pipeline.QueryTimings;

/**
 * Every metric of {@code /metrics} (SPEC 12.1 plus the operator extras documented in docs/operations.md), in a
 * Helidon meter registry backed by Micrometer's Prometheus registry, and the rendered text with its cache.
 *
 * <p>The service's own counters stay where they are counted ({@link Counters}, {@link QueryTimings},
 * {@link CacheTiers}); the registry reads them through function counters, so the hot path pays nothing extra for
 * them. HTTP requests are measured by {@link #requestEnded}, fed by {@link RequestObserver}.
 */
final class ServerMetrics implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ServerMetrics.class.getName());
    /** Buckets of {@code http_request_duration_seconds} (SPEC 12.1), also used for the per-endpoint histogram. */
    static final double[] HTTP_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    /** Buckets of the per-query backend latency: backends answer in about a millisecond from a warm pool. */
    static final double[] QUERY_BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
        5, 10};
    /** Lag of the scheduler above which a warning is logged (SPEC 12.1 {@code event_loop_lag_seconds}). */
    static final double LAG_WARNING_SECONDS = 0.1;
    /** Route label of requests no route matched. */
    static final String UNMATCHED = "<unmatched>";

    private final MeterRegistry registry;
    /** Micrometer's registry behind Helidon's (a composite); meters made through Helidon land here. */
    private final io.micrometer.core.instrument.MeterRegistry micrometer;
    /**
     * The Prometheus registry inside the composite, for the meters registered with Micrometer's own API (JVM
     * binders, fractional function counters). Registering those on the composite would call back into Helidon's
     * registry under Micrometer's lock, while Helidon's getOrCreate takes the locks in the other order: a deadlock
     * as soon as a GC notification registers a meter during a request.
     */
    private final io.micrometer.core.instrument.MeterRegistry prometheus;
    private final MeterRegistryFormatter formatter;
    private final XspctService service;
    private final long cacheTtlNanos;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Map<String, RouteMeters> routes = new ConcurrentHashMap<>();
    private final Map<String, Timer> queryLatency = new ConcurrentHashMap<>();
    private final Map<String, Boolean> poolGauges = new ConcurrentHashMap<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<Object> pinned = new ArrayList<>();
    private volatile double lagSeconds;
    private ScheduledFuture<?> lagProbe;
    private String rendered;
    private long renderedAt;

    // the simpleclient Prometheus registry is deprecated in Micrometer, but it is the one Helidon's formatter renders
    @SuppressWarnings("deprecation")
    private ServerMetrics(XspctService service, double cacheTtlSeconds) {
        this.service = service;
        this.cacheTtlNanos = (long) (cacheTtlSeconds * 1e9);
        MetricsConfig config = MetricsConfig.builder().build();
        this.registry = MeterRegistry.create(config);
        this.micrometer = registry.unwrap(io.micrometer.core.instrument.MeterRegistry.class);
        // Helidon tags every meter with scope="application"; the original's metrics have no such label
        micrometer.config().meterFilter(MeterFilter.ignoreTags("scope"));
        this.prometheus = micrometer instanceof CompositeMeterRegistry c ? c.getRegistries().stream()
                .filter(r -> r instanceof PrometheusMeterRegistry).findFirst().orElse(micrometer) : micrometer;
        // names promtool's lint rejects: process_cpu_seconds_total already has the CPU time, and a count that is
        // not a histogram's or summary's must not end in _count
        prometheus.config().meterFilter(MeterFilter.denyNameStartsWith("process.cpu.time"));
        prometheus.config().meterFilter(new MeterFilter() {
            @Override
            public io.micrometer.core.instrument.Meter.Id map(io.micrometer.core.instrument.Meter.Id id) {
                return id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
            }
        });
        this.formatter = formatter(config, registry);
    }

    /**
     * Registers every meter of the service and starts the scheduler-lag probe.
     *
     * @param service         the service
     * @param cacheTtlSeconds {@code xspct_db_metrics_cache_ttl}
     * @return the metrics
     * @throws ServerStartException when the runtime lacks the Prometheus output (an incomplete runtime image)
     */
    static ServerMetrics create(XspctService service, double cacheTtlSeconds) {
        ServerMetrics m = new ServerMetrics(service, cacheTtlSeconds);
        m.registerServiceMeters();
        m.registerHttpGauges();
        m.registerRuntimeMeters();
        if (m.formatter.format().isEmpty()) {
            m.close();
            throw new ServerStartException("xspct_db_metrics_enabled is true, but this runtime cannot write the "
                    + "Prometheus text format (the micrometer Prometheus registry is missing from the image)");
        }
        m.startLagProbe(service.scheduler());
        return m;
    }

    private static MeterRegistryFormatter formatter(MetricsConfig config, MeterRegistry registry) {
        for (MeterRegistryFormatterProvider p : ServiceLoader.load(MeterRegistryFormatterProvider.class,
                ServerMetrics.class.getClassLoader())) {
            Optional<MeterRegistryFormatter> f = p.formatter(MediaTypes.TEXT_PLAIN, config, registry, Optional.empty(),
                    List.of(), List.of());
            if (f.isPresent()) {
                return f.get();
            }
        }
        throw new ServerStartException("xspct_db_metrics_enabled is true, but no Prometheus formatter is installed "
                + "in this runtime (helidon-metrics-providers-micrometer)");
    }

    // ---------------------------------------------------------------- registration

    private void registerServiceMeters() {
        Counters counters = service.counters();
        for (Counters.Name n : Counters.Name.values()) {
            registry.getOrCreate(FunctionalCounter.builder("xspct_db_" + n.metric(), counters, c -> c.get(n))
                    .description(describe(n)));
        }
        registry.getOrCreate(Gauge.builder("xspct_db_prefilter_domain_count", service.prefilter(),
                p -> p.domainCount()).description("Size of the last accepted prefilter domain set"));

        // per query: created on the first call (the original emits a query's samples once it ran)
        QueryTimings timings = service.timings();
        timings.totals().keySet().forEach(this::queryMeters);
        timings.addListener((query, nanos) -> queryMeters(query).record(nanos, TimeUnit.NANOSECONDS));

        List<CacheTiers.Tier> tiers = service.caches().tiers();
        for (int i = 0; i < tiers.size(); i++) {
            CacheTiers.Tier t = tiers.get(i);
            int index = i;
            for (CacheTiers.Outcome o : CacheTiers.Outcome.values()) {
                registry.getOrCreate(FunctionalCounter.builder("xspct_db_cache_lookups", service.caches(),
                                c -> c.lookups(index, o))
                        .tags(List.of(Tag.create("tier", t.name()), Tag.create("level", String.valueOf(t.level())),
                                Tag.create("result", o.name().toLowerCase(java.util.Locale.ROOT))))
                        .description("Object cache lookups per tier and outcome, all endpoints"));
            }
        }

        RequestSlots slots = service.endpoints().slots();
        int fg = service.settings().foregroundSlots();
        int bg = service.settings().backgroundSlots();
        slotGauge("foreground", "xspct_db_slots_in_use", () -> fg - slots.freeForegroundSlots());
        slotGauge("background", "xspct_db_slots_in_use", () -> bg - slots.freeBackgroundSlots());
        slotGauge("foreground", "xspct_db_slots_limit", () -> fg);
        slotGauge("background", "xspct_db_slots_limit", () -> bg);
        registry.getOrCreate(Gauge.builder("xspct_db_tasks_running", slots, s -> s.activeTasks())
                .description("Lookup tasks still running, foreground or detached"));
        refreshPoolGauges();
        registerChangeFeedMeters();
    }

    /** Buckets of the change feed's eviction lag: the goal is every instance current within two seconds. */
    static final double[] CHANGE_LAG_BUCKETS = {0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60};

    /** Per change feed: events applied, flushes, lease held; one histogram of the eviction lag. */
    private void registerChangeFeedMeters() {
        ChangeFeeds feeds = service.changeFeeds();
        if (feeds.sources().isEmpty()) {
            return;
        }
        for (ChangeFeeds.Source s : feeds.sources()) {
            List<Tag> tags = List.of(Tag.create("query", s.query()));
            registry.getOrCreate(FunctionalCounter.builder("xspct_db_change_feed_events", s, ChangeFeeds.Source::events)
                    .tags(tags).description("Change events applied (cache entries evicted) by a query's change feed"));
            registry.getOrCreate(FunctionalCounter.builder("xspct_db_change_feed_flushes", s,
                            ChangeFeeds.Source::flushes)
                    .tags(tags).description("Evictions of every cache entry by a query's change feed"));
            registry.getOrCreate(Gauge.builder("xspct_db_change_feed_leader", s, src -> src.status().leader() ? 1 : 0)
                    .tags(tags).description("1 when this instance holds the change feed lease of a query"));
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
                .description("Request slots (SPEC 10): in use, and configured"));
    }

    private Timer queryMeters(String query) {
        Timer t = queryLatency.get(query);
        if (t != null) {
            return t;
        }
        return queryLatency.computeIfAbsent(query, q -> {
            QueryTimings timings = service.timings();
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
                    .buckets(durations(QUERY_BUCKETS)));
        });
    }

    /**
     * Pool gauges of the backends ({@link Backend#gauges()}), {@code xspct_db_backend_pool{query,state}}. A backend
     * may report a state only once its pool exists, so new states are picked up before every rendering.
     */
    private void refreshPoolGauges() {
        for (ConfiguredQuery q : service.queries()) {
            Backend b = q.backend();
            if (b == null) {
                continue;
            }
            Map<String, Number> g;
            try {
                g = b.gauges();
            } catch (RuntimeException e) {
                continue;
            }
            for (String state : g.keySet()) {
                String name = q.settings().name();
                if (poolGauges.putIfAbsent(name + '\u0000' + state, Boolean.TRUE) == null) {
                    registry.getOrCreate(Gauge.builder("xspct_db_backend_pool", b, be -> gauge(be, state))
                            .tags(List.of(Tag.create("query", name), Tag.create("state", state)))
                            .description("Connection pool of a query's backend"));
                }
            }
        }
    }

    /** Gauges of the cache tiers ({@code CacheTier#gauges()}), {@code xspct_db_cache_tier{tier,state}}. */
    private void refreshTierGauges() {
        for (CacheTiers.Tier t : service.caches().tiers()) {
            Map<String, Number> g;
            try {
                g = t.tier().gauges();
            } catch (RuntimeException e) {
                continue;
            }
            for (String state : g.keySet()) {
                if (poolGauges.putIfAbsent("tier\u0000" + t.name() + '\u0000' + state, Boolean.TRUE) == null) {
                    registry.getOrCreate(Gauge.builder("xspct_db_cache_tier", t.tier(), tier -> {
                        try {
                            Number n = tier.gauges().get(state);
                            return n == null ? Double.NaN : n.doubleValue();
                        } catch (RuntimeException e) {
                            return Double.NaN;
                        }
                    }).tags(List.of(Tag.create("tier", t.name()), Tag.create("state", state)))
                            .description("Resources of a cache tier, e.g. the Redis connection pool"));
                }
            }
        }
    }

    private static double gauge(Backend b, String state) {
        try {
            Number n = b.gauges().get(state);
            return n == null ? Double.NaN : n.doubleValue();
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    private void registerHttpGauges() {
        registry.getOrCreate(Gauge.builder("http_requests_in_flight", inFlight, AtomicInteger::get)
                .description("Requests being answered"));
        registry.getOrCreate(Gauge.builder("event_loop_lag_seconds", this, m -> m.lagSeconds)
                .description("How late the service's scheduler ran a 1 s tick"));
    }

    /** JVM meters (Micrometer's binders) and the process meters of the original's Prometheus client. */
    private void registerRuntimeMeters() {
        JvmGcMetrics gc = new JvmGcMetrics();
        closeables.add(gc);
        for (MeterBinder b : List.of(new JvmMemoryMetrics(), gc, new JvmThreadMetrics(), new ClassLoaderMetrics(),
                new JvmInfoMetrics(), new UptimeMetrics(), new ProcessorMetrics())) {
            b.bindTo(prometheus);
        }
        ProcessMeters.register(prometheus);
    }

    private static String describe(Counters.Name n) {
        return switch (n) {
            case REQUESTS -> "GET lookups, including refused and prefiltered ones";
            case REQUESTS_KNOWN -> "GET lookups that found the address";
            case REQUESTS_UNKNOWN -> "GET lookups that did not find the address";
            default -> n.metric().replace('_', ' ');
        };
    }

    static Duration[] durations(double[] seconds) {
        Duration[] d = new Duration[seconds.length];
        for (int i = 0; i < seconds.length; i++) {
            d[i] = Duration.ofNanos((long) (seconds[i] * 1e9));
        }
        return d;
    }

    /**
     * Counts the connections the slow-client guard closed, {@code xspct_db_slow_clients_disconnected_total}.
     *
     * @param guard the guard of the server's listeners
     */
    void registerSlowClients(SlowClientGuard guard) {
        registry.getOrCreate(FunctionalCounter.builder("xspct_db_slow_clients_disconnected", guard,
                        SlowClientGuard::disconnected)
                .description("Connections closed because a request's headers or body did not arrive within "
                        + "xspct_db_read_timeout"));
    }

    // ---------------------------------------------------------------- HTTP requests

    /** A request started (for {@code http_requests_in_flight}). */
    void requestStarted() {
        inFlight.incrementAndGet();
    }

    /**
     * A request was answered.
     *
     * @param method   the HTTP method
     * @param route    the matched route template, or {@link #UNMATCHED}
     * @param status   the response status
     * @param nanos    the time to answer
     */
    void requestEnded(String method, String route, int status, long nanos) {
        inFlight.decrementAndGet();
        RouteMeters r = routes.get(route);
        if (r == null) {
            r = routes.computeIfAbsent(route, k -> new RouteMeters(k, endpointOf(k)));
        }
        r.method(method).record(status, nanos);
    }

    /**
     * The endpoint family of a route template, the label of {@code xspct_db_request_duration_seconds}: legacy and
     * trailing-slash paths count with their endpoint.
     *
     * @param route the route template
     * @return {@code query}, {@code query_json}, {@code rspamd_settings}, {@code cache_invalidate},
     *         {@code change_feed}, {@code health}
     *         or {@code other}
     */
    static String endpointOf(String route) {
        if (route.contains("query-json")) {
            return "query_json";
        }
        if (route.contains("{user}")) {
            return "query";
        }
        if (route.contains("rspamd-settings")) {
            return "rspamd_settings";
        }
        if (route.contains("cache/invalidate")) {
            return "cache_invalidate";
        }
        if (route.contains("change-feed")) {
            return "change_feed";
        }
        if (route.equals("/") || route.startsWith("/ping")) {
            return "health";
        }
        return "other";
    }

    /** The meters of one route, per method and status; created on first use, then found without allocation. */
    private final class RouteMeters {
        final String route;
        final String endpoint;
        final Map<String, MethodMeters> methods = new ConcurrentHashMap<>();

        RouteMeters(String route, String endpoint) {
            this.route = route;
            this.endpoint = endpoint;
        }

        MethodMeters method(String method) {
            MethodMeters m = methods.get(method);
            return m != null ? m : methods.computeIfAbsent(method, k -> new MethodMeters(this, k));
        }
    }

    private final class MethodMeters {
        final RouteMeters route;
        final String method;
        final Timer duration;
        final Map<Integer, StatusMeters> statuses = new ConcurrentHashMap<>();

        MethodMeters(RouteMeters route, String method) {
            this.route = route;
            this.method = method;
            this.duration = registry.getOrCreate(Timer.builder("http_request_duration_seconds")
                    .tags(List.of(Tag.create("method", method), Tag.create("route", route.route)))
                    .description("Time to answer a request, per route")
                    .percentiles(new double[0])
                    .buckets(durations(HTTP_BUCKETS)));
        }

        void record(int status, long nanos) {
            duration.record(nanos, TimeUnit.NANOSECONDS);
            StatusMeters s = statuses.get(status);
            if (s == null) {
                s = statuses.computeIfAbsent(status, k -> new StatusMeters(this, k));
            }
            s.requests.increment();
            s.endpointDuration.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    private final class StatusMeters {
        final Counter requests;
        final Timer endpointDuration;

        StatusMeters(MethodMeters m, int status) {
            String code = String.valueOf(status);
            this.requests = registry.getOrCreate(Counter.builder("http_requests")
                    .tags(List.of(Tag.create("method", m.method), Tag.create("route", m.route.route),
                            Tag.create("status", code)))
                    .description("Answered requests"));
            this.endpointDuration = registry.getOrCreate(Timer.builder("xspct_db_request_duration_seconds")
                    .tags(List.of(Tag.create("endpoint", m.route.endpoint), Tag.create("status", code)))
                    .description("Time to answer a request, per endpoint and status")
                    .percentiles(new double[0])
                    .buckets(durations(HTTP_BUCKETS)));
        }
    }

    // ---------------------------------------------------------------- scheduler lag

    private void startLagProbe(ScheduledExecutorService scheduler) {
        long[] next = {System.nanoTime() + 1_000_000_000L};
        lagProbe = scheduler.scheduleAtFixedRate(() -> {
            long now = System.nanoTime();
            double lag = Math.max(0, (now - next[0]) / 1e9);
            next[0] += 1_000_000_000L;
            if (now - next[0] > 0) {
                next[0] = now + 1_000_000_000L; // skipped ticks: measure from now on
            }
            lagSeconds = lag;
            if (lag > LAG_WARNING_SECONDS) {
                LOG.log(System.Logger.Level.WARNING, String.format(java.util.Locale.ROOT,
                        "Event loop lag: the scheduler ran %.3f s late", lag));
            }
        }, 1, 1, TimeUnit.SECONDS);
    }

    // ---------------------------------------------------------------- rendering

    /**
     * The Prometheus text, rendered at most once per {@code xspct_db_metrics_cache_ttl}.
     *
     * @return the exposition text
     */
    synchronized String scrape() {
        long now = System.nanoTime();
        if (rendered != null && now - renderedAt < cacheTtlNanos) {
            return rendered;
        }
        refreshPoolGauges();
        refreshTierGauges();
        rendered = formatter.format().map(Object::toString).orElse("");
        renderedAt = now;
        return rendered;
    }

    @Override
    public void close() {
        if (lagProbe != null) {
            lagProbe.cancel(false);
        }
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.DEBUG, "closing a meter binder: " + e);
            }
        }
        // the Prometheus registry behind Helidon's can outlive this one (several servers in one JVM, as in
        // tests): remove every meter, or the next server would find these, bound to this service's counters
        for (io.micrometer.core.instrument.MeterRegistry r : List.of(micrometer, prometheus)) {
            for (io.micrometer.core.instrument.Meter m : List.copyOf(r.getMeters())) {
                r.remove(m);
            }
            r.clear();
        }
        registry.close();
    }
}
