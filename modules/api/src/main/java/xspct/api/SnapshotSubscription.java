package xspct.api;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The edge side: downloads, verifies and swaps in snapshots, keeps the last few, and rolls back on request.
 *
 * @since API 2.1
 */
public interface SnapshotSubscription extends AutoCloseable {

    /** {@return true in {@code primary} mode (the snapshot is the only source), false in {@code fallback} mode} */
    boolean primary();

    /** {@return the time between two checks for a newer version} */
    Duration interval();

    /**
     * Opens the newest usable local version (or the pinned one); called once at start, before lookups.
     */
    void start();

    /**
     * Checks the central for a newer version; downloads, verifies and swaps it in. Never throws: a refused or
     * failed download is logged and the current version keeps serving.
     */
    void refresh();

    /**
     * A lease on the serving snapshot.
     *
     * @return the lease, or empty when no version is usable (none yet, or older than {@code max_age})
     */
    Optional<SnapshotReader> acquire();

    /** {@return the local versions, oldest first, with the serving one marked} */
    List<SnapshotVersion> versions();

    /**
     * Pins the version before the serving one (one further back on each call); the pin survives a restart.
     *
     * @return the version now serving
     * @throws IllegalStateException when there is no earlier version
     */
    SnapshotVersion rollback();

    /**
     * Drops the pin and serves the newest local version.
     *
     * @return the version now serving
     * @throws IllegalStateException when there is no local version
     */
    SnapshotVersion follow();

    /**
     * Gauges for the metrics endpoint, e.g. {@code age_seconds} of the serving version, {@code refused} and
     * {@code swaps} so far. Must be cheap.
     *
     * @return gauge name to value; empty by default
     */
    default Map<String, Number> gauges() {
        return Map.of();
    }

    @Override
    default void close() {
    }
}
