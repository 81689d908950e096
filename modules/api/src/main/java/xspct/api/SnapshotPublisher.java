package xspct.api;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The central side: builds signed snapshots into its directory and serves them to edges.
 *
 * @since API 2.1
 */
public interface SnapshotPublisher extends AutoCloseable {

    /** {@return the time between two builds} */
    Duration interval();

    /**
     * Builds, signs and stores one snapshot, then drops versions beyond the configured number to keep.
     *
     * @param content the core's content
     * @return the new version
     * @throws Exception when the build failed; earlier versions stay
     */
    SnapshotVersion publish(SnapshotContent content) throws Exception;

    /** {@return the stored versions, oldest first} */
    List<SnapshotVersion> versions();

    /** {@return the signed manifest of the newest version} */
    Optional<byte[]> latestManifest();

    /**
     * The signed manifest of a version.
     *
     * @param version the version
     * @return the manifest, or empty when the version is not stored
     */
    Optional<byte[]> manifest(String version);

    /**
     * The file of a version.
     *
     * @param version the version
     * @return the path, or empty when the version is not stored
     */
    Optional<Path> file(String version);

    @Override
    default void close() {
    }
}
