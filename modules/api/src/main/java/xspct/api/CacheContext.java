package xspct.api;

/**
 * What a {@link CacheTierProvider} receives to create its tier.
 *
 * @param section the tier's configuration section (e.g. {@code xspct_db_local_cache}), defaults merged one
 *                level deep as the original service does
 * @param root    the whole configuration file
 */
public record CacheContext(ConfigNode section, ConfigNode root) {
}
