package xspct.core.prefilter;

import java.util.Set;

/**
 * The accepted domain set and when it was loaded; immutable, swapped atomically on reload (docs/compatibility.md:
 * "Concurrency is bounded and identical requests share one lookup").
 *
 * @param domains       lower-cased domains
 * @param loadedAtNanos monotonic load time
 */
record DomainSet(Set<String> domains, long loadedAtNanos) {
}
