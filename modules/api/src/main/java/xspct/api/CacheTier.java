package xspct.api;

import java.util.Collection;
import java.util.Map;

/**
 * One tier of the object cache (the in-process L1, the shared L2).
 *
 * <p>The cache keeps three families of entries, as xspct_db does: users (primary key to user object), aliases
 * (address to primary key) and negative entries (addresses known not to exist). Keys are used verbatim.
 * Implementations must be thread-safe and must never throw from these methods: a failing tier answers
 * {@link CacheLookup#MISS} and drops writes.
 *
 * <p>A tier may offer more through optional capabilities, interfaces the object returned by its provider also
 * implements: {@link InvalidationChannel} (a tier shared by several instances announces its invalidations to the
 * others), {@link SetStore} (sets kept in the tier's store, for the prefilter) and {@link ResourceGauges} (resources
 * for the metrics). The core asks for a capability with {@code instanceof}.
 */
public interface CacheTier extends AutoCloseable {

    /**
     * Looks an address up: alias, then user; else the negative entry.
     *
     * @param address the address, verbatim
     * @return positive, negative or miss
     */
    CacheLookup lookup(String address);

    /**
     * Stores user objects and aliases.
     *
     * @param users   primary key to user object
     * @param aliases address to primary key
     */
    void store(Map<String, Map<String, Object>> users, Map<String, String> aliases);

    /**
     * Stores negative entries.
     *
     * @param addresses addresses known not to exist
     */
    void storeNegative(Collection<String> addresses);

    /**
     * Removes every entry (alias, negative and, for an address that is a primary key, user) for the addresses.
     *
     * @param addresses the addresses
     */
    void invalidate(Collection<String> addresses);

    /** Removes every entry of this tier. */
    void invalidateAll();

    /** Releases connections and threads. */
    @Override
    default void close() {
    }
}
