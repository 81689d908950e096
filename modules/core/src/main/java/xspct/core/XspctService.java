package xspct.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import xspct.api.Backend;
import xspct.api.BackendProvider;
import xspct.api.CacheContext;
import xspct.api.CacheTier;
import xspct.api.CacheTierProvider;
import xspct.api.ChangeFeedStateStore;
import xspct.api.Invalidation;
import xspct.api.InvalidationChannel;
import xspct.api.SetStore;
import xspct.api.QueryContext;
import xspct.api.SnapshotContent;
import xspct.api.SnapshotContext;
import xspct.api.SnapshotProvider;
import xspct.api.SnapshotPublisher;
import xspct.api.SnapshotSubscription;
import xspct.core.changefeed.ChangeFeedSettings;
import xspct.core.changefeed.ChangeFeeds;
import xspct.core.codec.BodyCodecs;
import xspct.core.config.ConfigException;
import xspct.core.config.QuerySettings;
import xspct.core.config.Settings;
import xspct.core.config.YamlNode;
import xspct.core.admission.RequestSlots;
import xspct.core.admission.ResponseCache;
import xspct.core.lookup.CacheTiers;
import xspct.core.lookup.ConfiguredQuery;
import xspct.core.lookup.SnapshotBuilder;
import xspct.core.stats.Counters;
import xspct.core.stats.QueryTimings;
import xspct.core.stats.Statistics;
import xspct.core.lookup.RewriteRules;
import xspct.core.plugin.PluginRegistry;
import xspct.core.prefilter.DomainPrefilter;
import xspct.core.prefilter.PrefilterSettings;
import xspct.core.rspamd.RspamdPolicy;

/**
 * The assembled service: settings, backends created by their plugins, cache tiers and the lookup pipeline.
 * Created once at start; {@link #close()} releases every plugin resource.
 */
public final class XspctService implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(XspctService.class.getName());

    private final Settings settings;
    private final List<ConfiguredQuery> queries;
    private final CacheTiers caches;
    private final Counters counters;
    private final ServiceStatistics statistics;
    private final Lookups pipeline;
    private final DomainPrefilter prefilter;
    private final ScheduledExecutorService scheduler;
    private final Endpoints endpoints;
    private final List<Consumer<Invalidation>> invalidationListeners = new CopyOnWriteArrayList<>();
    private Snapshots snapshots = Snapshots.none();
    private SnapshotContent snapshotContent;
    private volatile ChangeFeeds changeFeeds = ChangeFeeds.none();

    private XspctService(Settings settings, List<ConfiguredQuery> queries, CacheTiers caches,
                         Counters counters, ServiceStatistics statistics, Lookups pipeline,
                         Endpoints endpoints, DomainPrefilter prefilter,
                         ScheduledExecutorService scheduler) {
        this.endpoints = endpoints;
        this.prefilter = prefilter;
        this.scheduler = scheduler;
        this.settings = settings;
        this.queries = queries;
        this.caches = caches;
        this.counters = counters;
        this.statistics = statistics;
        this.pipeline = pipeline;
    }

    /**
     * Validates everything a start reads (core keys, every query's and cache tier's plugin section) without
     * creating anything: no backend, no connection, no thread. Problems, errors and warnings, are recorded in the
     * settings' collector; {@code --check} prints them and a start reports them before {@link #create}.
     *
     * @param settings the settings (read, possibly with problems)
     * @param plugins  the loaded plugins
     */
    public static void check(Settings settings, PluginRegistry plugins) {
        var root = settings.root();
        for (QuerySettings q : settings.queries()) {
            backendProvider(q, plugins).ifPresent(p -> p.check(new QueryContext(q.name(), q.section(), root)));
            xspct.core.lookup.WildcardKeys.of(q);
        }
        for (CacheTierProvider p : plugins.cacheTiers()) {
            p.check(new CacheContext(tierSection(settings, p), root));
        }
        readCoreSections(settings).prefilter().warnSources(root, plugins.cacheTiers().stream()
                .anyMatch(p -> p.offersSets(new CacheContext(tierSection(settings, p), root))));
        SnapshotContext snapshots = new SnapshotContext(root.get("xspct_db_snapshot_publish"),
                root.get("xspct_db_snapshot_subscribe"), root);
        plugins.snapshots().forEach(p -> p.check(snapshots));
    }

    /** The core's own sections; read by {@link #check} and again by {@link #create} (problems are kept once). */
    private static CoreSections readCoreSections(Settings settings) {
        var root = settings.root();
        return new CoreSections(RewriteRules.read(root.get("xspct_db_rewrite_rules")), PrefilterSettings.read(root),
                RspamdPolicy.read(root), ResponseCache.Settings.read(settings.section(Settings.RESPONSE_CACHE)),
                StatsLog.Settings.read(root), ChangeFeedSettings.read(root));
    }

    private record CoreSections(RewriteRules rewrite, PrefilterSettings prefilter, RspamdPolicy rspamd,
                                ResponseCache.Settings responseCache, StatsLog.Settings stats,
                                ChangeFeedSettings changeFeed) {
    }

    /**
     * The provider of a query's {@code db_type}. A missing or unknown type is tolerated as the original tolerates
     * it (a query that answers nothing), with a warning naming the query.
     */
    private static Optional<BackendProvider> backendProvider(QuerySettings q, PluginRegistry plugins) {
        if (q.dbType().isEmpty()) {
            q.section().get("db_type").warning("query '" + q.name() + "' has no db_type; it answers nothing");
            return Optional.empty();
        }
        Optional<BackendProvider> p = plugins.backend(q.dbType());
        if (p.isEmpty()) {
            q.section().get("db_type").warning("query '" + q.name() + "' uses db_type '" + q.dbType()
                    + "', which no installed plugin provides (" + plugins.describeInstalled()
                    + "); the query answers nothing");
        }
        return p;
    }

    private static xspct.api.ConfigNode tierSection(Settings settings, CacheTierProvider p) {
        return settings.section(p.configKey());
    }

    /**
     * Builds the service. Every configuration problem (core keys and plugin sections) is reported at once; the
     * sections are validated by {@link #check} before any backend is created.
     *
     * @param settings the validated settings
     * @param plugins  the loaded plugins
     * @return the service
     * @throws ConfigException listing every error
     */
    public static XspctService create(Settings settings, PluginRegistry plugins) {
        var root = settings.root();
        var problems = root.problems();
        check(settings, plugins);
        problems.throwIfAny("");
        if (root.get("xspct_db_types_enabled").exists()) {
            // the original created its pools only when this undocumented key said so (docs/compatibility.md)
            LOG.log(System.Logger.Level.INFO, "xspct_db_types_enabled is ignored: every configured query gets its "
                    + "backend");
        }
        List<ConfiguredQuery> queries = new ArrayList<>();
        List<Backend> created = new ArrayList<>();
        List<CacheTiers.Tier> tiers = new ArrayList<>();
        try {
            for (QuerySettings q : settings.queries()) {
                Backend backend = null;
                Optional<BackendProvider> p = backendProvider(q, plugins);
                if (p.isPresent()) {
                    backend = p.get().create(new QueryContext(q.name(), q.section(), root));
                    created.add(backend);
                }
                queries.add(new ConfiguredQuery(q, backend, xspct.core.lookup.WildcardKeys.of(q)));
            }
            for (CacheTierProvider p : plugins.cacheTiers()) {
                var section = tierSection(settings, p);
                Optional<CacheTier> tier = p.create(new CacheContext(section, root));
                tier.ifPresent(t -> tiers.add(new CacheTiers.Tier(p.level(), t, p.name())));
                LOG.log(System.Logger.Level.INFO, "cache tier " + p.name() + " (L" + p.level() + ") "
                        + (tier.isPresent() ? "enabled" : "disabled"));
            }
            Snapshots snapshots = snapshots(root, plugins);
            CoreSections core = readCoreSections(settings);
            RewriteRules rewrite = core.rewrite();
            PrefilterSettings prefilterSettings = core.prefilter();
            RspamdPolicy rspamdPolicy = core.rspamd();
            ResponseCache.Settings responseCache = core.responseCache();
            StatsLog.Settings stats = core.stats();
            ChangeFeedSettings changeFeed = core.changeFeed();
            if (!problems.isEmpty()) {
                snapshots.close();
            }
            problems.throwIfAny("");
            CacheTiers caches = new CacheTiers(tiers);
            Optional<SnapshotSubscription> edge = snapshots.subscription();
            edge.ifPresent(SnapshotSubscription::start);
            boolean primary = edge.map(SnapshotSubscription::primary).orElse(false);
            if (primary) {
                LOG.log(System.Logger.Level.INFO, "snapshot primary mode: the snapshot is the only source; the "
                        + "object caches and the configured queries are not used for lookups");
            }
            Counters counters = new Counters();
            QueryTimings timings = new QueryTimings();
            DomainPrefilter prefilter = new DomainPrefilter(prefilterSettings, counters, System::nanoTime);
            useFirstSetSource(prefilter, tiers);
            prefilter.start();
            ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "xspct-scheduler");
                t.setDaemon(true);
                return t;
            });
            prefilter.startWatching(scheduler);
            Lookups pipeline = new Lookups(queries, rewrite, prefilter,
                    primary ? new CacheTiers(List.of()) : caches, counters, timings, edge);
            BodyCodecs codecs = BodyCodecs.of(plugins.codecs());
            codecs.missingCodecs().forEach(w -> LOG.log(System.Logger.Level.WARNING, w));
            ResponseCache responses = new ResponseCache(responseCache, System::nanoTime);
            Endpoints endpoints = new Endpoints(pipeline, rspamdPolicy, responses, responseCache.rspamdKeyFields(),
                    new RequestSlots(settings.foregroundSlots(), settings.backgroundSlots(), counters), codecs,
                    counters, settings.requestTimeout());
            ServiceStatistics statistics = new ServiceStatistics(counters, timings, caches, queries, endpoints.slots(),
                    settings.foregroundSlots(), settings.backgroundSlots(), prefilter);
            XspctService service = new XspctService(settings, List.copyOf(queries), caches, counters, statistics,
                    pipeline, endpoints, prefilter, scheduler);
            service.listenForRemoteInvalidations();
            service.snapshots = snapshots;
            service.snapshotContent = new SnapshotBuilder(pipeline.resolver(), queries,
                    rawSections(root, "xspct_db_queries", "xspct_db_key_translation", "xspct_db_value_split"));
            if (stats.enabled()) {
                new StatsLog(statistics, prefilterSettings, StatsLog::stats).start(scheduler, stats);
            }
            service.addInvalidationListener(inv -> {
                if (inv.all()) {
                    responses.invalidateAll();
                } else {
                    responses.invalidate(inv.addresses());
                }
            });
            service.startChangeFeeds(changeFeed, tiers);
            // after the feeds: with a lease, only its holder builds snapshots
            snapshots.start(scheduler, service.snapshotContent, service.changeFeeds.lease());
            return service;
        } catch (RuntimeException e) {
            created.forEach(XspctService::closeQuietly);
            tiers.forEach(t -> t.tier().close());
            throw e;
        }
    }

    /**
     * Starts the change feeds of the backends that report changes; they evict through {@link #invalidate} and
     * {@link #invalidateAll}, exactly as the invalidation endpoint does. A feed refusing its configuration stops
     * the start.
     */
    private void startChangeFeeds(ChangeFeedSettings settings, List<CacheTiers.Tier> tiers) {
        List<ChangeFeeds.Candidate> candidates = queries.stream().filter(q -> q.backend() != null)
                .map(q -> new ChangeFeeds.Candidate(q.settings().name(), q.settings().section(), q.backend()))
                .toList();
        // a tier above the in-process one is shared by the fleet and announces evictions to it
        boolean shared = tiers.stream().anyMatch(t -> t.level() > 1);
        // positions (sync cookies) go to the shared tier when it keeps them, so the whole fleet resumes from them
        ChangeFeedStateStore sharedState = tiers.stream().filter(t -> t.level() > 1)
                .map(CacheTiers.Tier::tier).filter(t -> t instanceof ChangeFeedStateStore)
                .map(t -> (ChangeFeedStateStore) t).findFirst().orElse(null);
        ChangeFeeds feeds = ChangeFeeds.start(settings, candidates, shared, sharedState, new ChangeFeeds.Evictions() {
            @Override
            public boolean invalidate(Collection<String> addresses) {
                return evict(List.copyOf(new LinkedHashSet<>(addresses)));
            }

            @Override
            public boolean invalidateAll() {
                return evictAll();
            }
        });
        changeFeeds = feeds;
        statistics.changeFeeds(feeds);
        try {
            this.settings.root().problems().throwIfAny("");
        } catch (RuntimeException e) {
            // the caller closes backends and tiers
            feeds.close();
            scheduler.shutdownNow();
            snapshots.close();
            prefilter.close();
            endpoints.slots().close();
            throw e;
        }
    }

    /**
     * The snapshot roles from {@code xspct_db_snapshot_publish} and {@code xspct_db_snapshot_subscribe}, through the
     * installed snapshot plugin.
     */
    private static Snapshots snapshots(YamlNode root, PluginRegistry plugins) {
        var publish = root.get("xspct_db_snapshot_publish");
        var subscribe = root.get("xspct_db_snapshot_subscribe");
        List<SnapshotProvider> providers = plugins.snapshots();
        boolean wanted = publish.get("enabled").asBoolean(false) || subscribe.get("enabled").asBoolean(false);
        if (providers.isEmpty()) {
            if (wanted) {
                (publish.get("enabled").asBoolean(false) ? publish : subscribe).get("enabled").problem(
                        "needs a snapshot plugin, and none is installed");
            }
            return Snapshots.none();
        }
        if (providers.size() > 1) {
            LOG.log(System.Logger.Level.WARNING, "several snapshot plugins are installed; using "
                    + providers.getFirst().name());
        }
        SnapshotProvider p = providers.getFirst();
        SnapshotContext ctx = new SnapshotContext(publish, subscribe, root);
        Optional<SnapshotPublisher> pub = p.publisher(ctx);
        Optional<SnapshotSubscription> sub = p.subscription(ctx);
        pub.ifPresent(x -> LOG.log(System.Logger.Level.INFO, "snapshots: publishing every "
                + x.interval().toSeconds() + " s"));
        sub.ifPresent(x -> LOG.log(System.Logger.Level.INFO, "snapshots: subscribed in "
                + (x.primary() ? "primary" : "fallback") + " mode, checking every " + x.interval().toSeconds()
                + " s"));
        return new Snapshots(pub, sub);
    }

    private static Map<String, Object> rawSections(YamlNode root, String... keys) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String k : keys) {
            out.put(k, root.get(k).raw());
        }
        return out;
    }

    /** Gives the prefilter the set of {@code redis_key}, read through the first tier offering sets. */
    private static void useFirstSetSource(DomainPrefilter prefilter, List<CacheTiers.Tier> tiers) {
        prefilter.useSetSource(tiers.stream().map(CacheTiers.Tier::tier).filter(t -> t instanceof SetStore)
                .map(t -> ((SetStore) t).sets()).findFirst());
    }

    /** {@return the snapshot roles (publisher, subscription), possibly none} */
    public Snapshots snapshots() {
        return snapshots;
    }

    /** {@return what a published snapshot holds: the final answers of every address the queries can list} */
    public SnapshotContent snapshotContent() {
        return snapshotContent;
    }

    /** {@return the settings} */
    public Settings settings() {
        return settings;
    }

    /** {@return the lookups of the three endpoints, before response cache, slots and encoding} */
    public Lookups lookups() {
        return pipeline;
    }

    /** {@return the endpoints: response cache, single flight, slots, encoding} */
    public Endpoints endpoints() {
        return endpoints;
    }

    /** Counts a {@code GET /v1/query} request, before it is authenticated (the HTTP layer calls this). */
    public void countQueryRequest() {
        counters.inc(Counters.Name.REQUESTS);
    }

    /** {@return a read-only view of the counters and measurements, for metrics} */
    public Statistics statistics() {
        return statistics;
    }

    /** {@return the enabled object cache tiers, in ascending level (for tools and tests that drive a tier)} */
    public List<CacheTier> cacheTiers() {
        return caches.tiers().stream().map(CacheTiers.Tier::tier).toList();
    }

    /** {@return the prefilter, for tests in this package} */
    DomainPrefilter prefilter() {
        return prefilter;
    }

    /** {@return the service's scheduler for periodic work (reloads, health probes)} */
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    // ---------------------------------------------------------------- invalidation

    /**
     * Removes the entries of the addresses from every cache tier; a shared tier announces it to the other
     * instances. Invalidation listeners (such as a response cache) are told too.
     *
     * @param addresses the addresses, verbatim
     * @return the number of distinct addresses invalidated
     */
    public int invalidate(Collection<String> addresses) {
        List<String> distinct = List.copyOf(new LinkedHashSet<>(addresses));
        evict(distinct);
        return distinct.size();
    }

    /** Removes every entry from every cache tier and tells the other instances and the listeners. */
    public void invalidateAll() {
        evictAll();
    }

    /**
     * What {@link #invalidate} does, saying whether a shared tier confirmed it; a change feed retries what was not
     * confirmed.
     */
    private boolean evict(List<String> distinct) {
        if (distinct.isEmpty()) {
            return true;
        }
        boolean confirmed = caches.invalidateConfirmed(distinct);
        notifyInvalidation(Invalidation.of(distinct));
        return confirmed;
    }

    private boolean evictAll() {
        boolean confirmed = caches.invalidateAllConfirmed();
        notifyInvalidation(Invalidation.everything());
        return confirmed;
    }

    /**
     * Registers a listener told of every invalidation, local or announced by another instance, after the cache
     * tiers evicted the entries. For caches outside the tiers, such as a response cache.
     *
     * @param listener the listener; called from the invalidating thread, must not block
     */
    public void addInvalidationListener(Consumer<Invalidation> listener) {
        invalidationListeners.add(listener);
    }

    private void listenForRemoteInvalidations() {
        for (CacheTiers.Tier t : caches.tiers()) {
            int level = t.level();
            if (!(t.tier() instanceof InvalidationChannel channel)) {
                continue;
            }
            channel.onRemoteInvalidation(inv -> {
                caches.invalidateBelow(level, inv);
                notifyInvalidation(inv);
            });
        }
    }

    private void notifyInvalidation(Invalidation inv) {
        for (Consumer<Invalidation> l : invalidationListeners) {
            try {
                l.accept(inv);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "an invalidation listener failed: " + e);
            }
        }
    }

    @Override
    public void close() {
        changeFeeds.close();
        scheduler.shutdownNow();
        snapshots.close();
        prefilter.close();
        endpoints.slots().close();
        for (ConfiguredQuery q : queries) {
            if (q.backend() != null) {
                closeQuietly(q.backend());
            }
        }
        caches.close();
    }

    private static void closeQuietly(Backend b) {
        try {
            b.close();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "closing a backend failed: " + e);
        }
    }
}
