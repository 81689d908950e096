package xspct.api;

import java.time.Duration;

/**
 * What a {@link ChangeSource} receives to start its feed: the settings of {@code xspct_db_change_feed}, the sink,
 * and whether the cache is shared by a fleet.
 *
 * @param sink         where the feed reports changes
 * @param sharedCache  true when a shared cache tier (Redis) announces evictions to the fleet: then one instance,
 *                     the holder of a lease, follows the changes for everyone; false when every instance follows
 *                     them itself
 * @param pollInterval {@code poll_interval}: how often a polling feed looks for changes
 * @param retention    {@code retention}: how long recorded changes are kept
 * @param leaseTtl     {@code lease_ttl}: how long a lease lasts without a heartbeat
 * @param instanceId   identifies this instance as a lease holder (unique per process start)
 * @param stateStore   where a feed keeps a small position (a sync cookie) across restarts
 * @since API 2.2
 */
public record ChangeFeedContext(ChangeSink sink, boolean sharedCache, Duration pollInterval, Duration retention,
                                Duration leaseTtl, String instanceId, ChangeFeedStateStore stateStore) {
}
