package xspct.core;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import xspct.core.lookup.Resolution.Pass;
import xspct.core.lookup.Resolver;
import xspct.core.lookup.Resolution;
import xspct.core.lookup.ResolutionPolicy;
import xspct.core.lookup.CanonicalAddresses;
import xspct.core.lookup.CacheTiers;
import xspct.core.lookup.ConfiguredQuery;
import xspct.core.lookup.RewriteRules;
import xspct.core.lookup.Prefilter;
import xspct.core.stats.Counters;
import xspct.core.stats.QueryTimings;
import xspct.api.SnapshotSubscription;

/**
 * The lookups of the three endpoints. Each resolves its addresses through the one {@link Resolver} with its
 * {@link ResolutionPolicy} and shapes the {@link Resolution} into its answer.
 */
public final class Lookups {
    private static final System.Logger LOG = System.getLogger(Lookups.class.getName());

    private final Resolver resolver;

    /**
     * Creates the pipeline.
     *
     * @param queries   the configured queries, in configuration order
     * @param rewrite   the rewrite rules
     * @param prefilter the prefilter
     * @param caches    the cache tiers
     * @param counters  the counters to update
     * @param timings   per-query timings to update
     */
    Lookups(List<ConfiguredQuery> queries, RewriteRules rewrite, Prefilter prefilter,
                          CacheTiers caches, Counters counters, QueryTimings timings) {
        this(queries, rewrite, prefilter, caches, counters, timings, Optional.empty());
    }

    /**
     * Creates the lookups of an edge that subscribes to snapshots.
     *
     * @param queries   the configured queries, in configuration order
     * @param rewrite   the rewrite rules
     * @param prefilter the prefilter
     * @param caches    the cache tiers
     * @param counters  the counters to update
     * @param timings   per-query timings to update
     * @param snapshot  the subscription answering in primary or fallback mode, or empty
     */
    Lookups(List<ConfiguredQuery> queries, RewriteRules rewrite, Prefilter prefilter, CacheTiers caches,
            Counters counters, QueryTimings timings, Optional<SnapshotSubscription> snapshot) {
        this.resolver = new Resolver(queries, rewrite, prefilter, caches, counters, timings, snapshot);
    }

    /** {@return the resolver, for snapshot builds} */
    Resolver resolver() {
        return resolver;
    }

    /**
     * Canonicalises requested addresses once, for a response cache key and the lookup that follows.
     *
     * @param requested the requested addresses, duplicates allowed
     * @return the admitted addresses
     */
    public CanonicalAddresses canonicalise(Collection<String> requested) {
        return resolver.canonicalise(requested);
    }

    /**
     * Resolves admitted addresses with a policy.
     *
     * @param addresses the admitted addresses
     * @param policy    how to resolve them
     * @return the resolution
     * @throws InterruptedException when cancelled
     */
    public Resolution resolve(CanonicalAddresses addresses, ResolutionPolicy policy) throws InterruptedException {
        return resolver.resolve(addresses, policy);
    }

    /**
     * {@code GET /v1/query/{user}}: a backend error fails the lookup. The answer is keyed by the requested address
     * when it came from a cache entry; from the backends, it holds every record they returned, by primary key, plus
     * the requested address when the rewrite rules changed it (without the canonical address), as xspct_db 0.7
     * answers. The HTTP layer counts {@code requests_total}; the resolution counts the rest.
     *
     * @param user the decoded address
     * @return the reply
     * @throws InterruptedException when cancelled
     */
    public Reply get(String user) throws InterruptedException {
        Resolution r = resolver.resolve(resolver.canonicalise(List.of(user)), ResolutionPolicy.SINGLE);
        if (r.failure().isPresent()) {
            return new Reply.Failure(r.failure().get().body());
        }
        if (!r.addresses().admitted(user)) {
            return new Reply.Users(Map.of());
        }
        String by = r.answeredBy();
        String c = r.addresses().canonical(user);
        Resolution.Source source = r.source(user);
        if (source == Resolution.Source.CACHE || source == Resolution.Source.WILDCARD_CACHE) {
            // one entry: a singleton map instead of a hash table per cached GET
            return new Reply.Users(Collections.singletonMap(user, r.records().get(r.keys().get(c))), by);
        }
        Map<String, Map<String, Object>> users = new LinkedHashMap<>(r.records().asMap());
        if (source == Resolution.Source.BACKENDS && !user.equals(c)) {
            Map<String, Object> record = r.records().get(r.keys().get(c));
            if (record != null) {
                users.put(user, record);
            }
        } else if (source == Resolution.Source.WILDCARD) {
            users.put(user, r.wildcardRecords().get(r.wildcard().get(user)));
        }
        if (!user.equals(c)) {
            users.remove(c);
        }
        return new Reply.Users(users, by);
    }

    /**
     * {@code POST /v1/query-json} for requested addresses.
     *
     * @param users the requested addresses (duplicates allowed)
     * @return the reply: found addresses only, keyed by the requested spelling
     * @throws InterruptedException when cancelled
     */
    public Reply batch(List<String> users) throws InterruptedException {
        return batch(resolver.canonicalise(users));
    }

    /**
     * {@code POST /v1/query-json} for canonicalised addresses: an error of the direct pass fails the lookup, one of
     * the wildcard fallback only leaves it out. The answer holds the found requested addresses, keyed as requested,
     * in request order.
     *
     * @param addresses the admitted addresses
     * @return the reply
     * @throws InterruptedException when cancelled
     */
    public Reply batch(CanonicalAddresses addresses) throws InterruptedException {
        if (addresses.isEmpty()) {
            return new Reply.Users(Map.of());
        }
        Resolution r = resolver.resolve(addresses, ResolutionPolicy.BATCH);
        if (r.failure().filter(f -> f.pass() == Pass.DIRECT).isPresent()) {
            return new Reply.Failure(r.failure().get().body());
        }
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        for (String o : addresses.originals()) {
            String c = addresses.canonical(o);
            String wildcardKey = r.wildcard().get(o);
            if (wildcardKey != null) {
                out.put(o, r.wildcardRecords().get(wildcardKey));
                continue;
            }
            String pk = r.keys().get(o);
            if (pk == null) {
                pk = r.keys().get(c);
            }
            if (r.records().contains(o)) {
                // an object already keyed by the address wins, as in the original: the dummy backend's rows are
                // keyed by the address they answer, even when another query found it as an alias
                out.put(o, r.records().get(o));
            } else if (pk != null && r.records().contains(pk)) {
                out.put(o, r.records().get(pk));
            }
        }
        return new Reply.Users(out, r.answeredBy());
    }

    /**
     * The users of {@code POST /v1/rspamd-settings}: backend errors leave a partial, incomplete answer (Rspamd
     * expects settings), logged here.
     *
     * @param from  the envelope sender ({@code ""} when none)
     * @param rcpts the recipients as requested
     * @return the users and the recipient keys
     * @throws InterruptedException when cancelled
     */
    public RspamdUsers rspamd(String from, List<String> rcpts) throws InterruptedException {
        Set<String> requested = new LinkedHashSet<>();
        if (!from.isEmpty()) {
            requested.add(from);
        }
        for (String r : rcpts) {
            if (!r.isEmpty()) {
                requested.add(r);
            }
        }
        CanonicalAddresses addresses = resolver.canonicalise(requested);
        Resolution r = resolver.resolve(addresses, ResolutionPolicy.RSPAMD);
        for (Resolution.BackendFailure f : r.failures()) {
            LOG.log(System.Logger.Level.WARNING, f.pass() == Pass.DIRECT
                    ? "rspamd settings: a backend failed (" + f.body() + "); answering with partial data, not cached"
                    : "rspamd settings: a wildcard backend failed; wildcard fallback skipped, answer not cached");
        }
        return RspamdUsers.of(r, rcpts);
    }
}
