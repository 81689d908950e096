package xspct.core.lookup;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import xspct.api.CacheLookup;
import xspct.api.LookupRequest;

/**
 * The wildcard fallback: addresses nobody answered are looked up by their wildcard keys (typically their domain,
 * {@code @example.org}) at the wildcard queries. The keys of all addresses are derived over every wildcard query
 * in configuration order, de-duplicated, and looked up together in one wildcard pass; every wildcard query is run
 * against every key. Thread-safe.
 */
final class WildcardFallback {
    private final List<WildcardKeys> derivations;
    private final CacheTiers caches;
    private final AnswerSource dispatcher;

    WildcardFallback(List<ConfiguredQuery> queries, CacheTiers caches, AnswerSource dispatcher) {
        this.derivations = queries.stream().map(ConfiguredQuery::wildcardKeys).filter(w -> w != null).toList();
        this.caches = caches;
        this.dispatcher = dispatcher;
    }

    /** What the fallback produced. */
    sealed interface Outcome permits Result, Failed {
    }

    /**
     * The addresses the fallback resolved.
     *
     * @param primaryKeys requested address to the primary key of the first of its keys that resolved
     * @param records     the records of those keys, by primary key
     * @param snapshot    the snapshot version that answered the pass instead of the backends, or null
     */
    record Result(Map<String, String> primaryKeys, UserRecords records, String snapshot) implements Outcome {
        // shared: nothing is ever added to it, and a lookup without wildcard answers, the hot path, makes none
        private static final Result NONE = new Result(Map.of(), new UserRecords(), null);

        static Result none() {
            return NONE;
        }
    }

    /**
     * A wildcard backend failed: nothing of the pass is used or cached.
     *
     * @param error the backend's error text
     */
    record Failed(String error) implements Outcome {
    }

    /**
     * The distinct wildcard keys of an address over all wildcard queries, in configuration order.
     *
     * @param canonical the canonical address
     * @return the keys; empty when no wildcard query is configured or none yields a key
     */
    List<String> keysFor(String canonical) {
        Optional<List<String>> own = dispatcher.wildcardKeys(canonical);
        if (own.isPresent()) {
            return own.get();
        }
        if (derivations.isEmpty()) {
            return List.of();
        }
        Set<String> keys = new LinkedHashSet<>();
        for (WildcardKeys w : derivations) {
            w.keyFor(canonical).ifPresent(keys::add);
        }
        return List.copyOf(keys);
    }

    /**
     * Looks up the keys of unresolved addresses.
     *
     * @param unresolved requested address to canonical address
     * @param readCaches whether a key's cache entry is used (positive) or ends its lookup (negative)
     * @param write      whether the pass's answers are written to the caches, and its unresolved keys as negative
     *                   entries (so that an unknown domain does not reach the wildcard backends on every lookup)
     * @return the outcome
     * @throws InterruptedException when cancelled
     */
    Outcome resolve(Map<String, String> unresolved, boolean readCaches, boolean write) throws InterruptedException {
        long mark = caches.mark();
        Map<String, List<String>> keysOf = new LinkedHashMap<>();
        Set<String> allKeys = new LinkedHashSet<>();
        unresolved.forEach((o, c) -> {
            List<String> ks = keysFor(c);
            if (!ks.isEmpty()) {
                keysOf.put(o, ks);
                allKeys.addAll(ks);
            }
        });
        if (keysOf.isEmpty()) {
            return Result.none();
        }
        Answer pass = new Answer();
        List<QueryRecord> records = new ArrayList<>();
        boolean read = readCaches && !caches.isEmpty();
        for (String k : allKeys) {
            switch (read ? caches.lookup(k).result() : CacheLookup.MISS) {
                case CacheLookup.Positive p -> {
                    pass.records.put(p.primaryKey(), p.user());
                    pass.keys.put(k, p.primaryKey());
                }
                case CacheLookup.Negative n -> {
                }
                case CacheLookup.Miss m -> records.add(keyRecord(k));
            }
        }
        if (!records.isEmpty()) {
            Optional<String> error = dispatcher.run(records, pass, true);
            if (error.isPresent()) {
                return new Failed(error.get());
            }
            if (write && pass.cacheable()) {
                caches.store(pass.records, pass.keys, mark);
                List<String> unknownKeys = new ArrayList<>();
                for (QueryRecord r : records) {
                    if (!pass.found(r.address())) {
                        unknownKeys.add(r.address());
                    }
                }
                caches.storeNegative(unknownKeys, mark);
            }
        }
        Map<String, String> primaryKeys = new LinkedHashMap<>();
        UserRecords resolved = new UserRecords();
        keysOf.forEach((o, ks) -> {
            for (String k : ks) {
                String pk = pass.keys.get(k);
                if (pk != null && pass.records.contains(pk)) {
                    primaryKeys.put(o, pk);
                    resolved.putIfAbsent(pk, pass.records.get(pk));
                    break;
                }
            }
        });
        return new Result(primaryKeys, resolved, pass.snapshot);
    }

    /**
     * The wildcard pass's record of a key: the key is the address, the user part is empty, and the domain is the key
     * without its leading {@code @} (the same on every endpoint).
     */
    private static QueryRecord keyRecord(String key) {
        String domain = key.startsWith("@") ? key.substring(1) : key;
        return new QueryRecord(key, new LookupRequest(key, key, "", domain, List.of(key)));
    }
}
