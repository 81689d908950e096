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
import xspct.core.Snapshots;
import xspct.core.XspctService;

/**
 * Every metric of {@code /metrics} (plus the operator extras documented in docs/operations.md), in a
 * Helidon meter registry backed by Micrometer's Prometheus registry, and the rendered text with its cache.
 *
 * <p>The service's own counters stay where they are counted; {@link ServiceMeters} reads them through function
 * counters, so the hot path pays nothing extra for them. HTTP requests are measured by {@link #requestEnded}, fed by {@link RequestObserver}.
 */
final class ServerMetrics implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ServerMetrics.class.getName());
    /** Buckets of {@code http_request_duration_seconds} , also used for the per-endpoint histogram. */
    static final double[] HTTP_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    /** Buckets of the per-query backend latency: backends answer in about a millisecond from a warm pool. */
    static final double[] QUERY_BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
        5, 10};
    /** Lag of the scheduler above which a warning is logged ({@code event_loop_lag_seconds}). */
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
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final ServiceMeters serviceMeters;
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
        this.serviceMeters = new ServiceMeters(service.statistics(), registry, prometheus);
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
        m.serviceMeters.register();
        m.registerSnapshotGauges(service);
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

    /**
     * A central's builds: whether this instance builds (under a change feed lease only its holder does) and the
     * builds it left to the holder. An edge's snapshot: age of the serving version, whether it may answer,
     * versions refused and swapped in.
     */
    private void registerSnapshotGauges(XspctService service) {
        Snapshots snapshots = service.snapshots();
        if (snapshots.publisher().isPresent()) {
            String description = "A central's snapshot builds: 1 while this instance builds (no change feed lease, "
                    + "or it holds the lease), builds skipped for the lease holder so far";
            registry.getOrCreate(Gauge.builder("xspct_db_snapshot_publisher", snapshots,
                            s -> s.lease().map(l -> "follower".equals(l) ? 0.0 : 1.0).orElse(0.0))
                    .tags(List.of(Tag.create("state", "builds"))).description(description));
            registry.getOrCreate(Gauge.builder("xspct_db_snapshot_publisher", snapshots,
                            s -> (double) s.skippedBuilds())
                    .tags(List.of(Tag.create("state", "skipped"))).description(description));
        }
        service.snapshots().subscription().ifPresent(sub -> {
            for (String state : List.of("age_seconds", "usable", "refused", "swaps")) {
                registry.getOrCreate(Gauge.builder("xspct_db_snapshot", sub,
                                s -> s.gauges().getOrDefault(state, 0).doubleValue())
                        .tags(List.of(Tag.create("state", state)))
                        .description("The edge's snapshot: age of the serving version, whether it may answer, "
                                + "versions refused and swapped in"));
            }
        });
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
        serviceMeters.refreshGauges();
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
