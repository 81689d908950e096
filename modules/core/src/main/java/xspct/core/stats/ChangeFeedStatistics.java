package xspct.core.stats;

import java.util.List;
import java.util.function.LongConsumer;

import xspct.api.ChangeFeedStatus;

/** A read-only view of the change feeds: whether they are enabled, and what each running feed applied. */
public interface ChangeFeedStatistics {

    /** {@return whether {@code xspct_db_change_feed.enabled} is set} */
    boolean enabled();

    /** {@return the running feeds, in configuration order; empty when disabled or no backend reports changes} */
    List<Feed> feeds();

    /**
     * Registers a listener for the eviction lag of each applied batch: from the oldest change of the batch to the
     * eviction being published, in nanoseconds.
     *
     * @param listener the listener; called on a feed's thread, must not block
     */
    void addLagListener(LongConsumer listener);

    /** One query's change feed. */
    interface Feed {
        /** {@return the query name} */
        String query();

        /** {@return the feed's own status: state, position, lease holder, last error} */
        ChangeFeedStatus status();

        /** {@return change events applied since start} */
        long events();

        /** {@return full flushes since start} */
        long flushes();

        /** {@return the lag of the last applied batch in nanoseconds, or -1 before the first} */
        long lastLagNanos();
    }
}
