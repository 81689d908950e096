package xspct.api;

/**
 * Version of the plugin API. A plugin built against API {@code MAJOR.x} runs on every core whose API has the
 * same major version and an equal or higher minor version; the core refuses any other plugin when it loads it.
 */
public final class ApiVersion {
    /**
     * Incompatible changes increase this (2: {@link CacheTier} keeps the object cache only; fleet invalidation,
     * sets and gauges became the optional capabilities {@link InvalidationChannel}, {@link SetStore} and
     * {@link ResourceGauges}; providers declare {@link PluginProvider#apiVersion()}; backends may report
     * {@link PooledBackend} and {@link Backend#translationError()}; with the additions of the unreleased 1.3:
     * configuration warnings and the providers' {@code check} methods that validate without connecting).
     */
    public static final int MAJOR = 2;
    /**
     * Compatible additions increase this (1: {@link AddressEnumeration}, {@link GraceEntries} and the snapshot SPI,
     * {@link SnapshotProvider}; 2: the change feed: the backend role {@link ChangeSource} with {@link ChangeFeed},
     * {@link ChangeFeedContext}, {@link ChangeSink}, {@link ChangeFeedStatus} and {@link ChangeFeedException}, and
     * the cache tier roles {@link ConfirmedInvalidation} and {@link ChangeFeedStateStore}; 3: a {@link Backend}
     * reports its gauges through {@link ResourceGauges}, like a cache tier, instead of a default method of
     * {@code Backend}, and the {@code xspct.api.testing} configuration fixture; 4: the change feed role
     * {@link Leadership}, so that only the holder of a lease builds snapshots).
     */
    public static final int MINOR = 4;
    /**
     * The version as {@code MAJOR.MINOR}: a constant, so that a plugin's {@link PluginProvider#apiVersion()}
     * returning it records the version the plugin was compiled against.
     */
    public static final String CURRENT = MAJOR + "." + MINOR;

    private ApiVersion() {
    }

    /** {@return the version as {@code MAJOR.MINOR}} */
    public static String string() {
        return CURRENT;
    }
}
