package xspct.api;

import java.util.Collection;

/**
 * Where a {@link ChangeFeed} reports changes. Both methods evict exactly as {@code POST /v1/cache/invalidate}
 * does (every cache tier, the response cache, and, through a shared tier, every instance of the fleet) and
 * return once the eviction is published, so that a feed may persist its position afterwards. They answer false
 * when the shared tier could not confirm the eviction (its store is unreachable): the feed must then neither
 * persist its position nor forget the changes, and report them again later.
 *
 * @since API 2.2
 */
public interface ChangeSink {

    /**
     * Evicts the addresses named by a batch of change events.
     *
     * @param addresses          the addresses (key values) the events name; may be empty when the events named
     *                           none
     * @param events             the number of change events the batch covers
     * @param oldestChangeNanos  the {@link System#nanoTime()} at which the oldest change of the batch was made,
     *                           for the eviction lag
     * @return true when the eviction was applied and published everywhere
     */
    boolean evict(Collection<String> addresses, int events, long oldestChangeNanos);

    /**
     * Evicts every entry, because changes cannot be attributed to addresses or were lost.
     *
     * @param reason why, for the log line the core writes (e.g. {@code "the change log was pruned past the
     *               cursor"})
     * @return true when the eviction was applied and published everywhere
     */
    boolean flush(String reason);
}
