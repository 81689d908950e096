package xspct.core.pipeline;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import xspct.api.CacheLookup;
import xspct.api.LookupRequest;
import xspct.core.pipeline.Counters.Name;

/**
 * The lookup of {@code GET /v1/query/{user}} and {@code POST /v1/query-json} (SPEC 3.1, 3.2): rewrite, prefilter,
 * cache tiers, dispatcher, wildcard fallback, re-keying. With the fixes of SPEC 13 W1, W2, W7 and W30.
 */
public final class LookupPipeline {
    /**
     * Longer addresses are answered as unknown without reaching regular expressions, caches or backends (W26, W33):
     * no mail address is that long (RFC 5321 limits a path to 256 octets).
     */
    public static final int MAX_ADDRESS_LENGTH = 320;

    private final RewriteRules rewrite;
    private final Prefilter prefilter;
    private final CacheTiers caches;
    private final Dispatcher dispatcher;
    private final List<WildcardKeys> wildcard;
    private final Counters counters;

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
    public LookupPipeline(List<ConfiguredQuery> queries, RewriteRules rewrite, Prefilter prefilter,
                          CacheTiers caches, Counters counters, QueryTimings timings) {
        this.rewrite = rewrite;
        this.prefilter = prefilter;
        this.caches = caches;
        this.counters = counters;
        this.dispatcher = new Dispatcher(queries, timings);
        this.wildcard = queries.stream().map(ConfiguredQuery::wildcardKeys).filter(w -> w != null).toList();
    }

    /** {@return the cache tiers, for invalidation} */
    public CacheTiers caches() {
        return caches;
    }

    // package-private access for RspamdLookup, which reuses the pipeline's pieces
    RewriteRules rewrite() {
        return rewrite;
    }

    Prefilter prefilter() {
        return prefilter;
    }

    Dispatcher dispatcher() {
        return dispatcher;
    }

    boolean hasWildcard() {
        return !wildcard.isEmpty();
    }

    /**
     * {@code POST /v1/query-json} for originals that already passed the prefilter (see {@link #prefiltered}), so that
     * the response cache key and the lookup use one prefilter pass (SPEC 3.2 steps 3-5).
     *
     * @param survivors the surviving originals, de-duplicated
     * @return the reply
     * @throws InterruptedException when cancelled
     */
    public Reply batchPrefiltered(List<String> survivors) throws InterruptedException {
        if (survivors.isEmpty()) {
            return new Reply.Users(Map.of());
        }
        Map<String, String> rw = new LinkedHashMap<>();
        for (String o : survivors) {
            rw.computeIfAbsent(o, rewrite::apply);
        }
        return batchResolved(List.copyOf(rw.keySet()), rw);
    }

    // ---------------------------------------------------------------- GET

    /**
     * A single lookup, as {@code GET /v1/query/{user}} answers it. The HTTP layer counts {@code requests_total}
     * (before authentication); this counts known/unknown, cache and wildcard statistics.
     *
     * @param user the decoded address
     * @return the reply
     * @throws InterruptedException when cancelled
     */
    public Reply get(String user) throws InterruptedException {
        if (user.length() > MAX_ADDRESS_LENGTH) {
            counters.inc(Name.REQUESTS_UNKNOWN);
            return new Reply.Users(Map.of());
        }
        String q = rewrite.apply(user);
        if (!prefilter.pass(q)) {
            counters.inc(Name.REQUESTS_UNKNOWN);
            return new Reply.Users(Map.of());
        }
        CacheLookup hit = CacheLookup.MISS;
        if (!caches.isEmpty()) {
            CacheTiers.Result r = caches.lookup(q);
            hit = r.result();
            countGetLookup(r);
        } else {
            counters.inc(Name.LOCAL_CACHE_MISSES);
        }
        if (hit instanceof CacheLookup.Positive p) {
            counters.inc(Name.REQUESTS_KNOWN);
            return new Reply.Users(single(user, p.user()));
        }
        List<String> keys = wildcardKeys(q);
        boolean skipDirect = false;
        if (hit instanceof CacheLookup.Negative) {
            if (keys.isEmpty()) {
                counters.inc(Name.REQUESTS_UNKNOWN);
                return new Reply.Users(Map.of());
            }
            skipDirect = true;
            boolean allNegative = true;
            for (String k : keys) {
                CacheLookup kr = caches.lookup(k).result();
                if (kr instanceof CacheLookup.Positive p) {
                    counters.inc(Name.WILDCARD_DOMAIN_HITS);
                    counters.inc(Name.REQUESTS_KNOWN);
                    return new Reply.Users(single(user, p.user()));
                }
                allNegative &= kr instanceof CacheLookup.Negative;
            }
            if (allNegative) {
                counters.inc(Name.WILDCARD_DOMAIN_MISSES);
                counters.inc(Name.REQUESTS_UNKNOWN);
                return new Reply.Users(Map.of());
            }
        }
        Answer ans = new Answer();
        boolean usedWildcard = false;
        if (!skipDirect) {
            Optional<String> err = dispatcher.run(List.of(QueryRecord.of(q)), ans, false);
            if (err.isPresent()) {
                return new Reply.Failure(err.get());
            }
            if (ans.found(q)) {
                store(ans.users, ans.u2p);
                if (!user.equals(q)) {
                    String pk = ans.u2p.get(q);
                    ans.u2p.put(user, pk);
                    Map<String, Object> obj = ans.users.get(pk);
                    if (obj != null) {
                        ans.users.put(user, obj);
                    }
                }
            } else if (keys.isEmpty()) {
                // W7: negative-cache only an empty answer (dummy output is an answer)
                if (ans.users.isEmpty()) {
                    caches.storeNegative(List.of(q));
                }
            }
        }
        if (!ans.found(q) && !keys.isEmpty()) {
            Answer pass = new Answer();
            String domain = domainOf(q);
            List<QueryRecord> records = new ArrayList<>(keys.size());
            for (String k : keys) {
                records.add(new QueryRecord(k, new LookupRequest(k, k, "", domain, List.of(k))));
            }
            Optional<String> err = dispatcher.run(records, pass, true);
            if (err.isPresent()) {
                return new Reply.Failure(err.get());
            }
            store(pass.users, pass.u2p);
            List<String> unresolved = new ArrayList<>();
            for (String k : keys) {
                String pk = pass.u2p.get(k);
                if (pk == null) {
                    unresolved.add(k);
                    continue;
                }
                if (!usedWildcard) {
                    ans.users.put(user, pass.users.get(pk));
                    ans.u2p.put(user, user);
                    if (!user.equals(q)) {
                        ans.u2p.put(q, user);
                    }
                    usedWildcard = true;
                }
            }
            caches.storeNegative(unresolved); // W30
            if (!usedWildcard && !skipDirect && ans.users.isEmpty()) {
                caches.storeNegative(List.of(q));
            }
        }
        if (!user.equals(q)) {
            ans.users.remove(q);
        }
        if (ans.found(user)) {
            counters.inc(Name.REQUESTS_KNOWN);
            if (usedWildcard) {
                counters.inc(Name.WILDCARD_DOMAIN_HITS);
            }
        } else {
            counters.inc(Name.REQUESTS_UNKNOWN);
            if (!keys.isEmpty()) {
                counters.inc(Name.WILDCARD_DOMAIN_MISSES);
            }
        }
        return new Reply.Users(ans.users);
    }

    private void countGetLookup(CacheTiers.Result r) {
        boolean redis = caches.hasLevel(2);
        switch (r.result()) {
            case CacheLookup.Positive p -> counters.inc(r.level() == 1 ? Name.LOCAL_CACHE_HITS : Name.REDIS_HITS);
            case CacheLookup.Negative n -> counters.inc(r.level() == 1 ? Name.LOCAL_CACHE_HITS
                    : Name.REDIS_NEGATIVE_HITS);
            case CacheLookup.Miss m -> {
                if (redis) {
                    counters.inc(Name.REDIS_MISSES);
                }
                counters.inc(Name.LOCAL_CACHE_MISSES);
            }
        }
    }

    // ---------------------------------------------------------------- query-json

    /**
     * A batch lookup, as {@code POST /v1/query-json} answers it.
     *
     * @param users the requested addresses (duplicates allowed)
     * @return the reply: found addresses only, keyed by the requested spelling
     * @throws InterruptedException when cancelled
     */
    public Reply batch(List<String> users) throws InterruptedException {
        Map<String, String> rw = new LinkedHashMap<>();
        for (String o : users) {
            if (o.length() <= MAX_ADDRESS_LENGTH) {
                rw.computeIfAbsent(o, rewrite::apply);
            }
        }
        Map<String, Boolean> passed = new LinkedHashMap<>();
        for (String c : rw.values()) {
            passed.computeIfAbsent(c, prefilter::pass);
        }
        List<String> f = new ArrayList<>();
        rw.forEach((o, c) -> {
            if (passed.get(c)) {
                f.add(o);
            }
        });
        if (f.isEmpty()) {
            return new Reply.Users(Map.of());
        }
        return batchResolved(f, rw);
    }

    /**
     * The originals that survive the prefilter, for response cache keys.
     *
     * @param users requested addresses
     * @return surviving originals, de-duplicated, in first-seen order
     */
    public List<String> prefiltered(List<String> users) {
        List<String> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String o : users) {
            if (o.length() <= MAX_ADDRESS_LENGTH && seen.add(o) && prefilter.pass(rewrite.apply(o))) {
                out.add(o);
            }
        }
        return out;
    }

    private Reply batchResolved(List<String> f, Map<String, String> rw) throws InterruptedException {
        Answer ans = new Answer();
        Set<String> viaWildcardCache = new HashSet<>();
        List<String> backend = new ArrayList<>();
        for (String c : new LinkedHashSet<>(mapAll(f, rw))) {
            CacheLookup hit = caches.isEmpty() ? CacheLookup.MISS : caches.lookup(c).result();
            if (hit instanceof CacheLookup.Positive p) {
                ans.users.put(p.primaryKey(), p.user());
                ans.u2p.put(c, p.primaryKey());
                continue;
            }
            if (hit instanceof CacheLookup.Negative) {
                // W1: wildcard keys are probed only after a negative hit
                boolean resolved = false;
                for (String k : wildcardKeys(c)) {
                    if (caches.lookup(k).result() instanceof CacheLookup.Positive p) {
                        ans.users.put(p.primaryKey(), p.user());
                        ans.u2p.put(c, p.primaryKey());
                        viaWildcardCache.add(c);
                        resolved = true;
                        break;
                    }
                }
                if (resolved) {
                    continue;
                }
            }
            backend.add(c);
        }
        if (!backend.isEmpty()) {
            List<QueryRecord> records = new ArrayList<>(backend.size());
            for (String c : backend) {
                records.add(QueryRecord.of(c));
            }
            Optional<String> err = dispatcher.run(records, ans, false);
            if (err.isPresent()) {
                return new Reply.Failure(err.get());
            }
            Map<String, String> aliases = new LinkedHashMap<>(ans.u2p);
            aliases.keySet().removeAll(viaWildcardCache);
            store(ans.users, aliases);
        }
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        for (String o : f) {
            String pk = ans.u2p.get(o);
            if (pk == null) {
                pk = ans.u2p.get(rw.get(o));
            }
            if (ans.users.containsKey(o)) {
                // an object already keyed by the address wins, as in the original: the dummy backend's rows are
                // keyed by the address they answer, even when another query found it as an alias
                out.put(o, ans.users.get(o));
            } else if (pk != null && ans.users.containsKey(pk)) {
                out.put(o, ans.users.get(pk));
            }
        }
        Set<String> fSet = new HashSet<>(f);
        // W2: an original is missing only when neither it nor its canonical form was found
        List<String> missing = new ArrayList<>();
        for (String o : f) {
            if (!ans.found(o) && !ans.found(rw.get(o))) {
                missing.add(o);
            }
        }
        if (!wildcard.isEmpty() && !missing.isEmpty()) {
            wildcardFallback(missing, rw, out);
        }
        out.keySet().retainAll(fSet);
        Map<String, Map<String, Object>> ordered = new LinkedHashMap<>();
        for (String o : f) {
            if (out.containsKey(o)) {
                ordered.put(o, out.get(o));
            }
        }
        return new Reply.Users(ordered);
    }

    private void wildcardFallback(List<String> missing, Map<String, String> rw,
                                  Map<String, Map<String, Object>> out) throws InterruptedException {
        // errors of the wildcard fallback are ignored, as in the original
        resolveWildcards(missing, rw).ifPresent(r -> {
            for (String o : r.keysOf().keySet()) {
                String pk = r.primaryKeyOf(o);
                if (pk != null) {
                    out.put(o, r.answer().users.get(pk));
                }
            }
        });
    }

    /**
     * How the wildcard keys of unresolved addresses resolved.
     *
     * @param keysOf original address to its wildcard keys, in configuration order
     * @param answer the users found for the keys ({@code u2p}: key to primary key)
     */
    record WildcardResolution(Map<String, List<String>> keysOf, Answer answer) {
        /** {@return the primary key of the first of the address's keys that resolved, or null} */
        String primaryKeyOf(String original) {
            for (String k : keysOf.getOrDefault(original, List.of())) {
                String pk = answer.u2p.get(k);
                if (pk != null && answer.users.containsKey(pk)) {
                    return pk;
                }
            }
            return null;
        }
    }

    /**
     * The wildcard fallback of the batch endpoints (SPEC 3.2e, 3.3d): the distinct keys of the missing addresses,
     * each from the caches or, failing that, one wildcard pass for all of them. Resolved keys are cached, keys that
     * resolve to nothing are negative-cached (W30).
     *
     * @param missing originals nobody answered
     * @param rw      original to canonical address
     * @return the resolution; empty when a wildcard backend failed
     * @throws InterruptedException when cancelled
     */
    Optional<WildcardResolution> resolveWildcards(List<String> missing, Map<String, String> rw)
            throws InterruptedException {
        Map<String, List<String>> keysOf = new LinkedHashMap<>();
        Set<String> allKeys = new LinkedHashSet<>();
        for (String o : missing) {
            List<String> ks = wildcardKeys(rw.get(o));
            if (!ks.isEmpty()) {
                keysOf.put(o, ks);
                allKeys.addAll(ks);
            }
        }
        Answer dans = new Answer();
        List<QueryRecord> records = new ArrayList<>();
        for (String k : allKeys) {
            CacheLookup r = caches.isEmpty() ? CacheLookup.MISS : caches.lookup(k).result();
            if (r instanceof CacheLookup.Positive p) {
                dans.users.put(p.primaryKey(), p.user());
                dans.u2p.put(k, p.primaryKey());
            } else if (!(r instanceof CacheLookup.Negative)) {
                String domain = k.startsWith("@") ? k.substring(1) : k;
                records.add(new QueryRecord(k, new LookupRequest(k, k, "", domain, List.of(k))));
            }
        }
        if (!records.isEmpty()) {
            if (dispatcher.run(records, dans, true).isPresent()) {
                return Optional.empty();
            }
            store(dans.users, dans.u2p);
            List<String> unresolved = new ArrayList<>();
            for (QueryRecord r : records) {
                if (!dans.found(r.address())) {
                    unresolved.add(r.address());
                }
            }
            caches.storeNegative(unresolved);
        }
        return Optional.of(new WildcardResolution(keysOf, dans));
    }

    // ---------------------------------------------------------------- shared

    /**
     * Distinct wildcard keys of an address over all wildcard queries, in configuration order.
     *
     * @param canonical the canonical address
     * @return the keys
     */
    List<String> wildcardKeys(String canonical) {
        if (wildcard.isEmpty()) {
            return List.of();
        }
        Set<String> keys = new LinkedHashSet<>();
        for (WildcardKeys w : wildcard) {
            w.keyFor(canonical).ifPresent(keys::add);
        }
        return List.copyOf(keys);
    }

    /** {@code set_cache}: users, their {@code aliases} and {@code mail} values, and the given aliases. */
    void store(Map<String, Map<String, Object>> users, Map<String, String> u2p) {
        if (caches.isEmpty() || (users.isEmpty() && u2p.isEmpty())) {
            return;
        }
        Map<String, String> aliases = new LinkedHashMap<>();
        users.forEach((pk, obj) -> {
            addAliases(aliases, obj.get("aliases"), pk);
            addAliases(aliases, obj.get("mail"), pk);
        });
        u2p.forEach((a, pk) -> {
            if (users.containsKey(pk)) {
                aliases.put(a, pk);
            }
        });
        caches.store(users, aliases);
    }

    private static void addAliases(Map<String, String> aliases, Object values, String pk) {
        if (values instanceof List<?> l) {
            for (Object v : l) {
                if (v != null) {
                    aliases.put(EntryTranslation.text(v), pk);
                }
            }
        } else if (values != null) {
            aliases.put(EntryTranslation.text(values), pk);
        }
    }

    private static List<String> mapAll(List<String> originals, Map<String, String> rw) {
        List<String> out = new ArrayList<>(originals.size());
        for (String o : originals) {
            out.add(rw.get(o));
        }
        return out;
    }

    private static Map<String, Map<String, Object>> single(String key, Map<String, Object> user) {
        Map<String, Map<String, Object>> m = new LinkedHashMap<>();
        m.put(key, user);
        return m;
    }

    static String domainOf(String address) {
        int at = address.indexOf('@');
        return at < 0 ? address : address.substring(at + 1);
    }
}
