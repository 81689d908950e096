package xspct.core.pipeline;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import xspct.api.CacheLookup;

/**
 * The lookup of {@code POST /v1/rspamd-settings} (SPEC 3.3 steps 3-4): sender and recipients are rewritten,
 * prefiltered, resolved from the caches or the backends (whose errors are ignored), rewritten originals are aliased
 * to their canonical user, unresolved addresses fall back to wildcard queries, and the users are reduced to the
 * request's addresses.
 *
 * <p>Fixes of SPEC 13: W1 (wildcard keys are probed in the caches only after a negative hit, and addresses resolved
 * that way are never cached as aliases), W20 (after a backend error nothing of the partial answer is written to the
 * caches, and the result says it is incomplete so that the response is not cached either), W30 (unresolved wildcard
 * keys are negative-cached).
 */
public final class RspamdLookup {
    private static final System.Logger LOG = System.getLogger(RspamdLookup.class.getName());

    private final LookupPipeline pipeline;
    private final CacheTiers caches;

    /**
     * The users found for a request.
     *
     * @param users    primary key to user object, reduced to the request's found addresses, in discovery order
     * @param u2p      address to primary key
     * @param rcptKeys for each requested recipient (duplicates and filtered ones included), its primary key or the
     *                 address itself
     * @param complete false when a backend failed: the answer may lack users and must not be cached
     */
    public record Resolved(Map<String, Map<String, Object>> users, Map<String, String> u2p, List<String> rcptKeys,
                           boolean complete) {
    }

    /**
     * Creates the lookup over the pieces of the query pipeline.
     *
     * @param pipeline the pipeline whose rewrite rules, prefilter, caches and queries are used
     */
    public RspamdLookup(LookupPipeline pipeline) {
        this.pipeline = pipeline;
        this.caches = pipeline.caches();
    }

    /**
     * Resolves the sender and recipients of a request.
     *
     * @param from  the envelope sender ({@code ""} when none)
     * @param rcpts the recipients as requested
     * @return the users and the recipient keys
     * @throws InterruptedException when cancelled
     */
    public Resolved resolve(String from, List<String> rcpts) throws InterruptedException {
        Set<String> raw = new LinkedHashSet<>();
        if (!from.isEmpty()) {
            raw.add(from);
        }
        for (String r : rcpts) {
            if (!r.isEmpty()) {
                raw.add(r);
            }
        }
        Map<String, String> rw = new LinkedHashMap<>();
        for (String o : raw) {
            rw.put(o, pipeline.rewrite().apply(o));
        }
        Map<String, Boolean> passed = new LinkedHashMap<>();
        for (String c : rw.values()) {
            passed.computeIfAbsent(c, pipeline.prefilter()::pass);
        }
        List<String> a = new ArrayList<>();
        rw.forEach((o, c) -> {
            if (passed.get(c)) {
                a.add(o);
            }
        });
        Answer ans = new Answer();
        boolean complete = true;
        if (!a.isEmpty()) {
            complete = direct(a, rw, ans);
            for (String o : a) {
                String c = rw.get(o);
                if (!o.equals(c) && ans.found(c)) {
                    ans.u2p.put(o, ans.u2p.get(c));
                }
            }
            List<String> missing = new ArrayList<>();
            for (String o : a) {
                if (!ans.found(o)) {
                    missing.add(o);
                }
            }
            if (pipeline.hasWildcard() && !missing.isEmpty()) {
                complete &= wildcardFallback(missing, rw, ans);
            }
        }
        Set<String> pks = new HashSet<>();
        for (String o : a) {
            String pk = ans.u2p.get(o);
            if (pk != null) {
                pks.add(pk);
            }
        }
        Map<String, Map<String, Object>> users = new LinkedHashMap<>();
        ans.users.forEach((pk, obj) -> {
            if (pks.contains(pk)) {
                users.put(pk, obj);
            }
        });
        List<String> rcptKeys = new ArrayList<>(rcpts.size());
        for (String r : rcpts) {
            rcptKeys.add(ans.u2p.getOrDefault(r, r));
        }
        return new Resolved(Collections.unmodifiableMap(users), Collections.unmodifiableMap(ans.u2p),
                Collections.unmodifiableList(rcptKeys), complete);
    }

    /** Caches, then backends, for the distinct canonical addresses (SPEC 3.3 4a-4b). */
    private boolean direct(List<String> a, Map<String, String> rw, Answer ans) throws InterruptedException {
        Set<String> viaWildcardCache = new HashSet<>();
        List<String> backend = new ArrayList<>();
        Set<String> canonicals = new LinkedHashSet<>();
        for (String o : a) {
            canonicals.add(rw.get(o));
        }
        for (String c : canonicals) {
            CacheLookup hit = caches.isEmpty() ? CacheLookup.MISS : caches.lookup(c).result();
            if (hit instanceof CacheLookup.Positive p) {
                ans.users.put(p.primaryKey(), p.user());
                ans.u2p.put(c, p.primaryKey());
                continue;
            }
            if (hit instanceof CacheLookup.Negative && probeWildcardCache(c, ans)) {
                viaWildcardCache.add(c); // W1: only after a negative hit
                continue;
            }
            backend.add(c);
        }
        if (backend.isEmpty()) {
            return true;
        }
        List<QueryRecord> records = new ArrayList<>(backend.size());
        for (String c : backend) {
            records.add(QueryRecord.of(c));
        }
        Optional<String> err = pipeline.dispatcher().run(records, ans, false);
        if (err.isPresent()) {
            // W20: answer with what we have, but keep the partial result out of every cache
            LOG.log(System.Logger.Level.WARNING, "rspamd settings: a backend failed (" + err.get()
                    + "); answering with partial data, not cached");
            return false;
        }
        Map<String, String> aliases = new LinkedHashMap<>(ans.u2p);
        aliases.keySet().removeAll(viaWildcardCache);
        pipeline.store(ans.users, aliases);
        return true;
    }

    private boolean probeWildcardCache(String c, Answer ans) {
        for (String k : pipeline.wildcardKeys(c)) {
            if (caches.lookup(k).result() instanceof CacheLookup.Positive p) {
                ans.users.put(p.primaryKey(), p.user());
                ans.u2p.put(c, p.primaryKey());
                return true;
            }
        }
        return false;
    }

    /** SPEC 3.3 4d: wildcard keys of unresolved addresses, from the caches or a wildcard pass. */
    private boolean wildcardFallback(List<String> missing, Map<String, String> rw, Answer ans)
            throws InterruptedException {
        Optional<LookupPipeline.WildcardResolution> resolved = pipeline.resolveWildcards(missing, rw);
        if (resolved.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "rspamd settings: a wildcard backend failed; wildcard fallback "
                    + "skipped, answer not cached");
            return false;
        }
        LookupPipeline.WildcardResolution r = resolved.get();
        for (String o : r.keysOf().keySet()) {
            String pk = r.primaryKeyOf(o);
            if (pk != null) {
                ans.users.putIfAbsent(pk, r.answer().users.get(pk));
                ans.u2p.put(o, pk);
            }
        }
        return true;
    }
}
