package xspct.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
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
import xspct.api.QueryContext;
import xspct.api.BodyCodecProvider;
import xspct.core.changefeed.ChangeFeedSettings;
import xspct.core.changefeed.ChangeFeeds;
import xspct.core.codec.BodyCodecs;
import xspct.core.config.ConfigException;
import xspct.core.config.QuerySettings;
import xspct.core.config.Settings;
import xspct.core.endpoint.Endpoints;
import xspct.core.endpoint.RequestSlots;
import xspct.core.endpoint.ResponseCache;
import xspct.core.pipeline.CacheTiers;
import xspct.core.pipeline.ConfiguredQuery;
import xspct.core.pipeline.Counters;
import xspct.core.pipeline.LookupPipeline;
import xspct.core.pipeline.QueryTimings;
import xspct.core.pipeline.RewriteRules;
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
    private final QueryTimings timings;
    private final LookupPipeline pipeline;
    private final DomainPrefilter prefilter;
    private final ScheduledExecutorService scheduler;
    private final Endpoints endpoints;
    private final List<Consumer<Invalidation>> invalidationListeners = new CopyOnWriteArrayList<>();
    private volatile ChangeFeeds changeFeeds = ChangeFeeds.none();

    private XspctService(Settings settings, List<ConfiguredQuery> queries, CacheTiers caches,
                         Counters counters, QueryTimings timings, LookupPipeline pipeline,
                         Endpoints endpoints, DomainPrefilter prefilter,
                         ScheduledExecutorService scheduler) {
        this.endpoints = endpoints;
        this.prefilter = prefilter;
        this.scheduler = scheduler;
        this.settings = settings;
        this.queries = queries;
        this.caches = caches;
        this.counters = counters;
        this.timings = timings;
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
            xspct.core.pipeline.WildcardKeys.of(q);
        }
        for (CacheTierProvider p : plugins.cacheTiers()) {
            p.check(new CacheContext(tierSection(settings, p), root));
        }
        readCoreSections(settings);
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
        return settings.sections().containsKey(p.configKey()) ? settings.section(p.configKey())
                : settings.root().get(p.configKey());
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
            // the original created LDAP/MySQL pools only when this undocumented key said so
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
                queries.add(new ConfiguredQuery(q, backend, xspct.core.pipeline.WildcardKeys.of(q)));
            }
            for (CacheTierProvider p : plugins.cacheTiers()) {
                var section = tierSection(settings, p);
                Optional<CacheTier> tier = p.create(new CacheContext(section, root));
                tier.ifPresent(t -> tiers.add(new CacheTiers.Tier(p.level(), t, p.name())));
                LOG.log(System.Logger.Level.INFO, "cache tier " + p.name() + " (L" + p.level() + ") "
                        + (tier.isPresent() ? "enabled" : "disabled"));
            }
            CoreSections core = readCoreSections(settings);
            RewriteRules rewrite = core.rewrite();
            PrefilterSettings prefilterSettings = core.prefilter();
            RspamdPolicy rspamdPolicy = core.rspamd();
            ResponseCache.Settings responseCache = core.responseCache();
            StatsLog.Settings stats = core.stats();
            ChangeFeedSettings changeFeed = core.changeFeed();
            problems.throwIfAny("");
            CacheTiers caches = new CacheTiers(tiers);
            Counters counters = new Counters();
            QueryTimings timings = new QueryTimings();
            DomainPrefilter prefilter = new DomainPrefilter(prefilterSettings, counters, System::nanoTime);
            addRedisDomainSource(prefilter, tiers);
            prefilter.start();
            ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "xspct-scheduler");
                t.setDaemon(true);
                return t;
            });
            prefilter.startWatching(scheduler);
            LookupPipeline pipeline = new LookupPipeline(queries, rewrite, prefilter, caches, counters, timings);
            BodyCodecs codecs = BodyCodecs.of(plugins.services(BodyCodecProvider.class));
            if (!codecs.msgpackAvailable()) {
                LOG.log(System.Logger.Level.WARNING, "the msgpack codec plugin is not installed: responses are "
                        + "JSON only and MessagePack request bodies are refused (400)");
            }
            ResponseCache responses = new ResponseCache(responseCache, System::nanoTime);
            Endpoints endpoints = new Endpoints(pipeline, rspamdPolicy, responses, responseCache.rspamdKeyFields(),
                    new RequestSlots(settings.foregroundSlots(), settings.backgroundSlots(), counters), codecs,
                    counters, settings.requestTimeout());
            XspctService service = new XspctService(settings, List.copyOf(queries), caches, counters, timings,
                    pipeline, endpoints, prefilter, scheduler);
            service.listenForRemoteInvalidations();
            if (stats.enabled()) {
                StatsLog.of(service, prefilterSettings, caches).start(scheduler, stats);
            }
            service.addInvalidationListener(inv -> {
                if (inv.all()) {
                    responses.invalidateAll();
                } else {
                    responses.invalidate(inv.addresses());
                }
            });
            service.startChangeFeeds(changeFeed, tiers);
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
        try {
            this.settings.root().problems().throwIfAny("");
        } catch (RuntimeException e) {
            // the caller closes backends and tiers
            feeds.close();
            scheduler.shutdownNow();
            prefilter.close();
            endpoints.slots().close();
            throw e;
        }
    }

    /** {@return the running change feeds} */
    public ChangeFeeds changeFeeds() {
        return changeFeeds;
    }

    /** Gives the prefilter the Redis SET of {@code redis_key}, read through the first tier offering sets. */
    private static void addRedisDomainSource(DomainPrefilter prefilter, List<CacheTiers.Tier> tiers) {
        prefilter.useRedisSet(tiers.stream().map(t -> t.tier().setSource()).flatMap(Optional::stream).findFirst());
    }

    /** {@return the settings} */
    public Settings settings() {
        return settings;
    }

    /** {@return the lookup pipeline} */
    public LookupPipeline pipeline() {
        return pipeline;
    }

    /** {@return the HTTP-independent endpoints: response cache, slots, encoding} */
    public Endpoints endpoints() {
        return endpoints;
    }

    /** {@return the counters} */
    public Counters counters() {
        return counters;
    }

    /** {@return the object cache tiers} */
    public CacheTiers caches() {
        return caches;
    }

    /** {@return per-query timings} */
    public QueryTimings timings() {
        return timings;
    }

    /** {@return the configured queries} */
    public List<ConfiguredQuery> queries() {
        return queries;
    }

    /** {@return the prefilter (state, domain count, extra sources)} */
    public DomainPrefilter prefilter() {
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
            t.tier().onRemoteInvalidation(inv -> {
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
