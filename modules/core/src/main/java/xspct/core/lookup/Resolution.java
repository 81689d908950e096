package xspct.core.lookup;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a lookup found for the requested addresses: the one result every endpoint shapes into its answer.
 *
 * @param addresses the admitted requested addresses with their canonical forms
 * @param records   records from the caches and the direct pass, by primary key, in discovery order; may hold
 *                  records no address is attributed to (such as dummy output, keyed by the address)
 * @param keys      the primary key of each found address: canonical addresses found in the caches or by the
 *                  backends, requested addresses whose canonical form was found, and addresses resolved by the
 *                  wildcard fallback (to the wildcard record's key)
 * @param wildcard  the addresses the wildcard fallback resolved: requested address to the wildcard record's primary
 *                  key
 * @param wildcardRecords the records of the wildcard fallback, by primary key
 * @param cached    the canonical addresses answered by a positive cache entry, of their own
 *                  ({@link Source#CACHE}) or of a wildcard key ({@link Source#WILDCARD_CACHE})
 * @param failures  the backend errors observed, in order (at most one unless the policy lets the resolution go on
 *                  after an error)
 * @param snapshot  the edge snapshot version that answered instead of the backends, or empty
 */
public record Resolution(CanonicalAddresses addresses, UserRecords records, AddressKeys keys,
                         Map<String, String> wildcard, UserRecords wildcardRecords, Map<String, Source> cached,
                         List<BackendFailure> failures, String snapshot) {

    /** {@return the {@code X-Xspct-Source} of the answer: empty, or {@code snapshot/<version>}} */
    public String answeredBy() {
        return snapshot.isEmpty() ? "" : "snapshot/" + snapshot;
    }

    /** How a requested address was resolved. */
    public enum Source {
        /** A positive cache entry of its canonical address. */
        CACHE,
        /** A positive cache entry of one of its wildcard keys, probed after a negative entry. */
        WILDCARD_CACHE,
        /** The backends, directly. */
        BACKENDS,
        /** The wildcard fallback. */
        WILDCARD,
        /** Not found. */
        NONE
    }

    /** Which pass of the resolution a backend error ended. */
    public enum Pass {
        /** The lookup of the canonical addresses. */
        DIRECT,
        /** The lookup of wildcard keys. */
        WILDCARD
    }

    /**
     * A backend error observed during the resolution.
     *
     * @param body the error text the backend gave
     * @param pass the pass it ended
     */
    public record BackendFailure(String body, Pass pass) {
    }

    /** {@return true when no backend failed: nothing is missing from the resolution for that reason} */
    public boolean complete() {
        return failures.isEmpty();
    }

    /** {@return the first backend error, if any} */
    public Optional<BackendFailure> failure() {
        return failures.isEmpty() ? Optional.empty() : Optional.of(failures.get(0));
    }

    /**
     * How a requested address was resolved.
     *
     * @param original the address as requested
     * @return the source; {@link Source#NONE} for an address not admitted or not found
     */
    public Source source(String original) {
        // worked out when asked: most resolutions are of one address, asked about once
        String c = addresses.canonical(original);
        if (c == null) {
            return Source.NONE;
        }
        if (wildcard.containsKey(original)) {
            return Source.WILDCARD;
        }
        Source s = cached.get(c);
        if (s != null) {
            return s;
        }
        return keys.found(original) ? Source.BACKENDS : Source.NONE;
    }

    /**
     * Whether a requested address was found, directly, through its canonical form or by the wildcard fallback.
     *
     * @param original the address as requested
     * @return true when found
     */
    public boolean found(String original) {
        return source(original) != Source.NONE;
    }
}
