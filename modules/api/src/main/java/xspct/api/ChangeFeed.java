package xspct.api;

/**
 * A running change feed of one query, created by {@link ChangeSource#startChangeFeed}.
 *
 * @since API 2.2
 */
public interface ChangeFeed extends AutoCloseable {

    /** {@return the feed's current state, for the status endpoint and the metrics; cheap and non-blocking} */
    ChangeFeedStatus status();

    /** Stops the feed and releases what it holds (connections, a lease). Called once. */
    @Override
    void close();
}
