package xspct.api;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One tier of the object cache (the in-process L1, the shared L2).
 *
 * <p>The cache keeps three families of entries, as xspct_db does: users (primary key to user object), aliases
 * (address to primary key) and negative entries (addresses known not to exist). Keys are used verbatim.
 * Implementations must be thread-safe and must never throw from these methods: a failing tier answers
 * {@link CacheLookup#MISS} and drops writes.
 *
 * <p>A tier shared by several instances (such as Redis) also announces its {@link #invalidate} and
 * {@link #invalidateAll} calls to the other instances, which learn of them through
 * {@link #onRemoteInvalidation}.
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

    /**
     * Registers the core's listener for invalidations made by other instances sharing this tier. The core calls
     * this once, right after creating the tier, and reacts by evicting the entries from its lower (in-process)
     * tiers only. The listener may be called from any thread; it does not block. Tiers that are not shared keep
     * this default, which never calls the listener.
     *
     * @param listener receives each remote invalidation
     * @since API 1.1
     */
    default void onRemoteInvalidation(Consumer<Invalidation> listener) {
    }

    /**
     * The sets and change channels of the store behind this tier, for configuration kept there (the prefilter's
     * domain set). Tiers without such a store keep this default.
     *
     * @return the set source, or empty
     * @since API 1.2
     */
    default Optional<SetSource> setSource() {
        return Optional.empty();
    }

    /**
     * Gauges describing the tier's resources, e.g. {@code active} and {@code idle} connections of a shared tier's
     * pool. Read by the metrics endpoint and the stats lines; must be cheap and must not block.
     *
     * @return gauge name to value; empty by default
     * @since API 1.2
     */
    default Map<String, Number> gauges() {
        return Map.of();
    }

    /** Releases connections and threads. */
    @Override
    default void close() {
    }
}
