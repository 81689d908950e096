package xspct.api;

/**
 * A role a {@link ChangeFeed} may also play: the feed runs under a lease that one instance of the fleet holds at
 * a time. The core lets only the holder do the work one instance does for all, such as building edge snapshots
 * ({@link SnapshotPublisher}). A feed that runs without a lease (every instance follows the changes itself) does
 * not play this role.
 *
 * @since API 2.4
 */
public interface Leadership {

    /**
     * {@return true while this instance holds the lease; false while another instance holds it, while nobody does,
     * and as soon as this instance could not renew it in time; cheap and non-blocking}
     */
    boolean leader();
}
