package xspct.api;

/**
 * What a {@link SnapshotProvider} is created from.
 *
 * @param publish   the {@code xspct_db_snapshot_publish} section (may not exist)
 * @param subscribe the {@code xspct_db_snapshot_subscribe} section (may not exist)
 * @param root      the whole configuration
 * @since API 2.1
 */
public record SnapshotContext(ConfigNode publish, ConfigNode subscribe, ConfigNode root) {
}
