package xspct.api;

/**
 * An optional capability of a {@link CacheTier} whose store also keeps sets and change channels, for configuration
 * kept there (the prefilter's domain set). The core reads the prefilter's {@code redis_key} and
 * {@code redis_channel} through the first tier that has this capability.
 *
 * @since API 2.0 (before, {@code CacheTier.setSource()})
 */
public interface SetStore {
    /** {@return the sets and change channels of the store} */
    SetSource sets();
}
