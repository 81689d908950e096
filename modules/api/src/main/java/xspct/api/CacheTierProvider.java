package xspct.api;

import java.util.Optional;

/**
 * Discovers and creates one cache tier.
 *
 * <p>A plugin module declares {@code provides xspct.api.CacheTierProvider with ...}. Tiers are consulted in
 * ascending {@link #level()}; a hit in a higher level is copied into the lower ones.
 */
public interface CacheTierProvider extends PluginProvider {

    /** {@return a short name for logs, e.g. {@code "caffeine"}} */
    String name();

    /** {@return the configuration key of the tier's section, e.g. {@code "xspct_db_local_cache"}} */
    String configKey();

    /** {@return the tier level: 1 for the in-process tier, 2 for a shared tier} */
    int level();

    /**
     * Creates the tier.
     *
     * @param context the tier's configuration
     * @return the tier, or empty when the section disables it ({@code enabled: false})
     */
    Optional<CacheTier> create(CacheContext context);

    /**
     * Validates the tier's section as {@link #create(CacheContext)} would, without connecting or starting anything
     * (see {@link BackendProvider#check(QueryContext)}). The default checks nothing.
     *
     * @param context the tier's configuration
     * @since API 2.0
     */
    default void check(CacheContext context) {
    }

    /**
     * Whether the tier this section configures would offer {@link SetStore}, decided from the configuration alone
     * (nothing is created or contacted), so that a check can tell whether the prefilter's {@code redis_key} will be
     * readable. The default: no sets.
     *
     * @param context the tier's configuration
     * @return true when {@link #create(CacheContext)} would return a tier with sets
     */
    default boolean offersSets(CacheContext context) {
        return false;
    }
}
