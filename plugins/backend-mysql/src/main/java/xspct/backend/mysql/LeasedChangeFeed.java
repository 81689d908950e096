package xspct.backend.mysql;

import xspct.api.ChangeFeed;
import xspct.api.ChangeFeedStatus;
import xspct.api.Leadership;

/**
 * A feed that runs under its {@link LeaderLease} (the cache is shared by a fleet): tells the core whether this
 * instance holds the lease, so that work done once for the fleet (snapshot builds) runs on the holder only.
 */
final class LeasedChangeFeed implements ChangeFeed, Leadership {
    private final MysqlChangeFeed feed;

    LeasedChangeFeed(MysqlChangeFeed feed) {
        this.feed = feed;
    }

    @Override
    public boolean leader() {
        return feed.holdsLease();
    }

    @Override
    public ChangeFeedStatus status() {
        return feed.status();
    }

    @Override
    public void close() {
        feed.close();
    }
}
