package xspct.api;

/**
 * What a {@link CacheTierProvider} receives to create its tier.
 *
 * @param section the tier's configuration section (e.g. {@code xspct_db_local_cache}) as the file has it (empty
 *                when absent); the tier applies its own defaults
 * @param root    the whole configuration file
 */
public record CacheContext(ConfigNode section, ConfigNode root) {
}
