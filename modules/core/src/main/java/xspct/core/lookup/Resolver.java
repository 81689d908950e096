package xspct.core.lookup;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import xspct.api.CacheLookup;
import xspct.core.stats.Counters.Name;
import xspct.core.lookup.Resolution.BackendFailure;
import xspct.core.lookup.Resolution.Pass;
import xspct.core.lookup.Resolution.Source;
import xspct.core.lookup.ResolutionPolicy.BackendErrors;
import xspct.core.lookup.ResolutionPolicy.CacheReads;
import xspct.core.lookup.ResolutionPolicy.CacheWrites;
import xspct.core.lookup.ResolutionPolicy.KeyLookups;
import xspct.core.stats.Counters;
import xspct.core.stats.QueryTimings;
import xspct.api.SnapshotSubscription;

/**
 * The one path from requested addresses to a {@link Resolution}, for every endpoint:
 * <ol>
 *   <li>canonicalise: length limit, rewrite, prefilter ({@link CanonicalAddresses});</li>
 *   <li>probe the cache tiers for each canonical address; after a negative entry, probe its wildcard keys;</li>
 *   <li>dispatch the misses to the backends (the direct pass);</li>
 *   <li>write the answers back to the cache tiers;</li>
 *   <li>fall back to the wildcard queries for the addresses still unresolved ({@link WildcardFallback}).</li>
 * </ol>
 * What differs between the endpoints is the {@link ResolutionPolicy} passed in. Thread-safe.
 */
public final class Resolver {
    private final RewriteRules rewrite;
    private final Prefilter prefilter;
    private final CacheTiers caches;
    private final Dispatcher backends;
    private final AnswerSource dispatcher;
    private final WildcardFallback wildcard;
    /** The wildcard fallback over the configured queries alone, for resolutions that bypass the caches. */
    private final WildcardFallback wildcardOfBackends;
    private final Counters counters;

    /**
     * Creates the resolver.
     *
     * @param queries   the configured queries, in configuration order
     * @param rewrite   the rewrite rules
     * @param prefilter the prefilter
     * @param caches    the cache tiers
     * @param counters  the counters to update
     * @param timings   per-query timings to update
     * @param snapshot  an edge's snapshot subscription (primary or fallback mode), or empty
     */
    public Resolver(List<ConfiguredQuery> queries, RewriteRules rewrite, Prefilter prefilter, CacheTiers caches,
                    Counters counters, QueryTimings timings, Optional<SnapshotSubscription> snapshot) {
        this.rewrite = rewrite;
        this.prefilter = prefilter;
        this.caches = caches;
        this.counters = counters;
        this.backends = new Dispatcher(queries, timings);
        // when the backends fail: the L1's grace entries, then (fallback mode) the edge snapshot
        this.dispatcher = SnapshotAnswers.of(GraceAnswers.of(backends, caches, counters), snapshot, counters);
        this.wildcard = new WildcardFallback(queries, caches, dispatcher);
        this.wildcardOfBackends = new WildcardFallback(queries, caches, backends);
    }

    /** {@return the configured queries alone, never grace entries or a snapshot (snapshot builds)} */
    Dispatcher backends() {
        return backends;
    }

    /** {@return the wildcard fallback over the configured queries alone (snapshot builds)} */
    WildcardFallback wildcardOfBackends() {
        return wildcardOfBackends;
    }

    /**
     * Step 1: the admitted addresses, each rewritten once and prefiltered once.
     *
     * @param requested the requested addresses, duplicates allowed
     * @return the admitted addresses
     */
    public CanonicalAddresses canonicalise(Collection<String> requested) {
        return CanonicalAddresses.of(requested, rewrite, prefilter);
    }

    /**
     * Steps 2 to 5.
     *
     * @param addresses the admitted addresses
     * @param policy    what differs between the endpoints
     * @return the resolution
     * @throws InterruptedException when cancelled
     */
    public Resolution resolve(CanonicalAddresses addresses, ResolutionPolicy policy) throws InterruptedException {
        Run run = new Run(addresses, policy);
        run.probeCaches();
        if (run.dispatchDirect()) {
            run.aliasRewritten();
            if (run.wildcardFallback()) {
                run.writeNegatives();
            }
        }
        Resolution resolution = run.resolution();
        if (policy.counted() && resolution.complete()) {
            count(addresses, resolution);
        }
        return resolution;
    }

    /** The statistics only {@code GET /v1/query} counts: known and unknown requests, wildcard hits and misses. */
    private void count(CanonicalAddresses addresses, Resolution r) {
        for (String o : addresses.requested()) {
            Source s = r.source(o);
            if (s != Source.NONE) {
                counters.inc(Name.REQUESTS_KNOWN);
                if (s == Source.WILDCARD || s == Source.WILDCARD_CACHE) {
                    counters.inc(Name.WILDCARD_DOMAIN_HITS);
                }
            } else {
                counters.inc(Name.REQUESTS_UNKNOWN);
                if (addresses.admitted(o) && !wildcard.keysFor(addresses.canonical(o)).isEmpty()) {
                    counters.inc(Name.WILDCARD_DOMAIN_MISSES);
                }
            }
        }
    }

    /** The cache statistics of a canonical address's first probe, which only {@code GET /v1/query} counts. */
    private void countProbe(CacheTiers.Result r) {
        switch (r.result()) {
            case CacheLookup.Positive p -> counters.inc(r.level() == 1 ? Name.LOCAL_CACHE_HITS : Name.SHARED_CACHE_HITS);
            case CacheLookup.Negative n -> counters.inc(r.level() == 1 ? Name.LOCAL_CACHE_HITS
                    : Name.SHARED_CACHE_NEGATIVE_HITS);
            case CacheLookup.Miss m -> {
                if (caches.hasSharedTier()) {
                    counters.inc(Name.SHARED_CACHE_MISSES);
                }
                counters.inc(Name.LOCAL_CACHE_MISSES);
            }
        }
    }

    /** The state of one resolution. */
    private final class Run {
        private final CanonicalAddresses addresses;
        private final ResolutionPolicy policy;
        /** Records and address keys from the caches and the direct pass. */
        private final Answer direct = new Answer();
        // The collections below are made on their first use: a lookup answered from the caches, the hot path,
        // needs none of them.
        /** Canonical addresses answered by a positive cache entry, of their own or of a wildcard key. */
        private Map<String, Source> cached = Map.of();
        /** Canonical addresses for the direct pass. */
        private Set<String> dispatch = Set.of();
        /** Canonical addresses whose negative entry is an answer but whose wildcard keys may still resolve. */
        private Set<String> wildcardOnly = Set.of();
        private WildcardFallback.Result fallback = WildcardFallback.Result.none();
        private List<BackendFailure> failures = List.of();

        /** Taken before anything is read: the write-back is dropped for addresses invalidated since. */
        private final long mark = caches.mark();

        Run(CanonicalAddresses addresses, ResolutionPolicy policy) {
            this.addresses = addresses;
            this.policy = policy;
        }

        /** Step 2. */
        void probeCaches() {
            boolean read = policy.reads() != CacheReads.NONE && !caches.isEmpty();
            for (String c : addresses.canonicals()) {
                CacheTiers.Result hit = read ? caches.lookup(c) : CacheTiers.Result.MISSED;
                if (policy.counted()) {
                    countProbe(hit);
                }
                switch (hit.result()) {
                    case CacheLookup.Positive p -> found(c, p, Source.CACHE);
                    case CacheLookup.Negative n -> afterNegative(c);
                    case CacheLookup.Miss m -> dispatch(c);
                }
            }
        }

        private void found(String c, CacheLookup.Positive p, Source source) {
            direct.records.put(p.primaryKey(), p.user());
            direct.keys.put(c, p.primaryKey());
            if (cached.isEmpty()) {
                cached = new HashMap<>();
            }
            cached.put(c, source);
        }

        private void dispatch(String c) {
            if (dispatch.isEmpty()) {
                dispatch = new LinkedHashSet<>();
            }
            dispatch.add(c);
        }

        /**
         * Wildcard keys are probed in the caches only after a negative entry, so that a cached domain entry never
         * shadows a real mailbox the backends know.
         */
        private void afterNegative(String c) {
            List<String> keys = wildcard.keysFor(c);
            boolean allNegative = true;
            for (String k : keys) {
                CacheLookup r = caches.lookup(k).result();
                if (r instanceof CacheLookup.Positive p) {
                    found(c, p, Source.WILDCARD_CACHE);
                    return;
                }
                allNegative &= r instanceof CacheLookup.Negative;
            }
            if (policy.reads() == CacheReads.NEGATIVE_IS_RECHECKED) {
                dispatch(c);
            } else if (!keys.isEmpty() && !allNegative) {
                if (wildcardOnly.isEmpty()) {
                    wildcardOnly = new LinkedHashSet<>();
                }
                wildcardOnly.add(c);
            }
        }

        /** Step 3 and the write-back of its answers; false when a backend error ends the resolution. */
        boolean dispatchDirect() throws InterruptedException {
            if (dispatch.isEmpty()) {
                return true;
            }
            List<QueryRecord> records = new ArrayList<>(dispatch.size());
            for (String c : dispatch) {
                records.add(QueryRecord.of(c));
            }
            Optional<String> error = source().run(records, direct, false);
            if (error.isPresent()) {
                return failed(error.get(), Pass.DIRECT);
            }
            boolean write = switch (policy.writes()) {
                case EVERY_ANSWER -> true;
                case FOUND_AND_UNKNOWN -> dispatch.stream().anyMatch(direct::found);
                case NONE -> false;
            };
            if (write && direct.cacheable()) {
                // an address resolved through a cached wildcard key is no alias of the wildcard entry
                caches.store(direct.records, direct.keys.without(cachedByWildcardKey()), mark);
            }
            return true;
        }

        private List<String> cachedByWildcardKey() {
            List<String> out = new ArrayList<>(0);
            cached.forEach((c, s) -> {
                if (s == Source.WILDCARD_CACHE) {
                    out.add(c);
                }
            });
            return out;
        }

        /** A requested address that the rewrite rules changed resolves to the key of its canonical form. */
        void aliasRewritten() {
            addresses.asMap().forEach((o, c) -> {
                if (!o.equals(c) && direct.found(c)) {
                    direct.keys.put(o, direct.keys.get(c));
                }
            });
        }

        /** Step 5; false when a backend error ends the resolution. */
        boolean wildcardFallback() throws InterruptedException {
            if (dispatch.isEmpty() && wildcardOnly.isEmpty()) {
                return true;
            }
            Map<String, String> unresolved = new LinkedHashMap<>();
            addresses.asMap().forEach((o, c) -> {
                if (!direct.found(o) && (dispatch.contains(c) || wildcardOnly.contains(c))) {
                    unresolved.put(o, c);
                }
            });
            if (unresolved.isEmpty()) {
                return true;
            }
            boolean readKeys = policy.keyLookups() == KeyLookups.CACHES_FIRST && policy.reads() != CacheReads.NONE;
            WildcardFallback fallbackPass = bypassing() ? wildcardOfBackends : wildcard;
            WildcardFallback.Outcome outcome = fallbackPass.resolve(unresolved, readKeys,
                    policy.writes() != CacheWrites.NONE);
            switch (outcome) {
                case WildcardFallback.Failed f -> {
                    return failed(f.error(), Pass.WILDCARD);
                }
                case WildcardFallback.Result r -> {
                    fallback = r;
                    r.primaryKeys().forEach(direct.keys::put);
                    return true;
                }
            }
        }

        /**
         * Negative entries for addresses nobody answered, when the lookup returned no record at all (dummy output
         * is an answer, and an entry the backends returned under another spelling is not "unknown").
         */
        void writeNegatives() {
            if (policy.writes() != CacheWrites.FOUND_AND_UNKNOWN || !direct.records.isEmpty()
                    || !direct.cacheable()) {
                return;
            }
            Set<String> byWildcard = new HashSet<>();
            fallback.primaryKeys().keySet().forEach(o -> byWildcard.add(addresses.canonical(o)));
            List<String> unknown = new ArrayList<>();
            for (String c : dispatch) {
                if (!direct.found(c) && !byWildcard.contains(c)) {
                    unknown.add(c);
                }
            }
            caches.storeNegative(unknown, mark);
        }

        /**
         * A resolution that bypasses the caches (a snapshot build) must reflect the backends: neither grace entries
         * nor a snapshot may stand in for them.
         */
        private boolean bypassing() {
            return policy.reads() == CacheReads.NONE && policy.writes() == CacheWrites.NONE;
        }

        private AnswerSource source() {
            return bypassing() ? backends : dispatcher;
        }

        private boolean failed(String error, Pass pass) {
            if (failures.isEmpty()) {
                failures = new ArrayList<>(2);
            }
            failures.add(new BackendFailure(error, pass));
            return policy.errors() == BackendErrors.PARTIAL;
        }

        Resolution resolution() {
            return new Resolution(addresses, direct.records, direct.keys, fallback.primaryKeys(), fallback.records(),
                    cached, List.copyOf(failures), direct.snapshot != null ? direct.snapshot
                    : fallback.snapshot() != null ? fallback.snapshot() : "");
        }
    }
}
