package xspct.api;

import java.util.Optional;

/**
 * Discovers and creates the snapshot store: the publishing side of a central instance and the subscribing side of
 * an edge. At most one provider may be installed. Configuration problems are reported through
 * {@link ConfigNode#problem(String)}.
 *
 * @since API 2.1
 */
public interface SnapshotProvider extends PluginProvider {

    /** {@return a short name for log lines, e.g. {@code sqlite}} */
    String name();

    /**
     * Validates both sections as {@link #publisher} and {@link #subscription} would, without creating anything (no
     * directory, no thread): {@code xspct-db --check} calls it, and a start calls it first.
     *
     * @param context the configuration
     */
    default void check(SnapshotContext context) {
    }

    /**
     * Creates the publisher when {@code xspct_db_snapshot_publish.enabled} is true.
     *
     * @param context the configuration
     * @return the publisher, or empty when publishing is off
     */
    Optional<SnapshotPublisher> publisher(SnapshotContext context);

    /**
     * Creates the subscription when {@code xspct_db_snapshot_subscribe.enabled} is true.
     *
     * @param context the configuration
     * @return the subscription, or empty when subscribing is off
     */
    Optional<SnapshotSubscription> subscription(SnapshotContext context);
}
