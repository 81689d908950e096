package xspct.core.lookup;

/**
 * What differs between the endpoints that resolve addresses; the steps themselves are the same for all (see
 * {@link Resolver}). Each difference is kept from xspct_db 0.7 because clients can observe it (see
 * docs/compatibility.md, "One resolution, three endpoints").
 *
 * @param reads      how the cache tiers are read
 * @param writes     what is written back to the cache tiers
 * @param keyLookups where the wildcard fallback looks its keys up
 * @param errors     what a backend error does to the rest of the resolution
 * @param counted    whether the resolution counts the single-lookup statistics (cache hits and misses, known and
 *                   unknown requests, wildcard hits and misses), which only {@code GET /v1/query} counts
 */
public record ResolutionPolicy(CacheReads reads, CacheWrites writes, KeyLookups keyLookups, BackendErrors errors,
                               boolean counted) {

    /** {@code GET /v1/query/{user}}: one address; a negative entry is an answer; the first backend error fails it. */
    public static final ResolutionPolicy SINGLE = new ResolutionPolicy(CacheReads.NEGATIVE_IS_ANSWER,
            CacheWrites.FOUND_AND_UNKNOWN, KeyLookups.BACKENDS, BackendErrors.FAIL_FAST, true);

    /**
     * {@code POST /v1/query-json}: a batch; negative entries are checked again at the backends; every answer is
     * written back; the first backend error stops the resolution.
     */
    public static final ResolutionPolicy BATCH = new ResolutionPolicy(CacheReads.NEGATIVE_IS_RECHECKED,
            CacheWrites.EVERY_ANSWER, KeyLookups.CACHES_FIRST, BackendErrors.FAIL_FAST, false);

    /** {@code POST /v1/rspamd-settings}: as {@link #BATCH}, but a backend error leaves a partial resolution. */
    public static final ResolutionPolicy RSPAMD = BATCH.withErrors(BackendErrors.PARTIAL);

    /**
     * This policy with the cache tiers neither read nor written: every address goes to the backends (for answers
     * that must reflect the backends' current data).
     *
     * @return the policy without caches
     */
    public ResolutionPolicy bypassingCaches() {
        return new ResolutionPolicy(CacheReads.NONE, CacheWrites.NONE, KeyLookups.BACKENDS, errors, counted);
    }

    /**
     * This policy with another reaction to backend errors.
     *
     * @param errors the reaction
     * @return the policy
     */
    public ResolutionPolicy withErrors(BackendErrors errors) {
        return new ResolutionPolicy(reads, writes, keyLookups, errors, counted);
    }

    /** How the cache tiers are read for the requested (canonical) addresses. */
    public enum CacheReads {
        /**
         * A negative entry answers "unknown": the backends are not asked again; only the address's wildcard keys
         * are, first in the caches, then (when a key is not known to be negative) at the wildcard queries.
         */
        NEGATIVE_IS_ANSWER,
        /**
         * A negative entry only makes the wildcard keys be probed in the caches; when none is cached positive, the
         * address is asked at the backends like a miss.
         */
        NEGATIVE_IS_RECHECKED,
        /** The caches are not read. */
        NONE
    }

    /** What the resolution writes to the cache tiers. */
    public enum CacheWrites {
        /**
         * The records of a direct pass in which an address was found; a negative entry for an address nobody
         * answered, when the backends returned nothing at all (dummy output is an answer); the results of the
         * wildcard pass and negative entries for its unresolved keys.
         */
        FOUND_AND_UNKNOWN,
        /**
         * Every record a pass returned (cache hits included) with the addresses it was found under, except
         * addresses resolved through a cached wildcard key; the results of the wildcard pass and negative entries
         * for its unresolved keys; never a negative entry for a requested address.
         */
        EVERY_ANSWER,
        /** Nothing. */
        NONE
    }

    /** Where the wildcard fallback looks up the keys of unresolved addresses. */
    public enum KeyLookups {
        /** Every key goes to the wildcard queries. */
        BACKENDS,
        /** A key cached positive is used, one cached negative is skipped, the others go to the wildcard queries. */
        CACHES_FIRST
    }

    /** What a backend error does to the rest of the resolution. */
    public enum BackendErrors {
        /** The resolution stops at the first error: nothing more is looked up or written. */
        FAIL_FAST,
        /**
         * The resolution goes on with what the failed pass returned, writes nothing of that pass to the caches, and
         * is marked incomplete (a failed wildcard pass resolves nothing).
         */
        PARTIAL
    }
}
