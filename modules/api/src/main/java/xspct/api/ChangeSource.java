package xspct.api;

/**
 * A role a {@link Backend} may also play: it reports changes of its data so that the core evicts the affected
 * cache entries long before their TTL runs out.
 *
 * <p>The core asks every backend that implements this interface to {@linkplain #startChangeFeed start} its feed
 * when {@code xspct_db_change_feed.enabled} is true and the query configures {@code change_feed}; a backend whose
 * query has no {@code change_feed} section answers {@code null}. The feed reports through the
 * {@link ChangeSink} of the context and runs on its own threads until it is closed, which happens before the
 * backend itself is closed.
 *
 * @since API 2.2
 */
public interface ChangeSource {

    /**
     * Starts following changes.
     *
     * <p>The method may block for about one connect timeout to install what the feed needs and to replay the
     * changes missed while the service was down, so that the first answers of a started service are current. A
     * source that cannot be reached must still start: it retries with back-off on its own threads.
     *
     * @param context the sink, the feed settings and whether the cache is shared by a fleet
     * @return the running feed, or {@code null} when this query follows no changes
     * @throws ChangeFeedException when the configuration is at fault (a watched table or column does not exist,
     *                             a privilege is missing); the service refuses to start with its message
     */
    ChangeFeed startChangeFeed(ChangeFeedContext context);
}
