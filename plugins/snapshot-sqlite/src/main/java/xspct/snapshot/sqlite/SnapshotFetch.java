package xspct.snapshot.sqlite;

import java.io.IOException;
import java.nio.file.Path;

/** Where an edge gets snapshots from: the central's HTTP endpoints ({@link HttpSnapshotFetch}). */
interface SnapshotFetch {

    /**
     * The signed manifest of the newest version.
     *
     * @return the manifest as published
     * @throws IOException when the central cannot be reached or answers with an error
     */
    byte[] latestManifest() throws IOException, InterruptedException;

    /**
     * Downloads a version's file.
     *
     * @param version the version
     * @param target  where to write it (created)
     * @param maxSize the size the manifest announces: more is not read
     * @throws IOException when the download or the write fails (a full disk, for instance)
     */
    void download(String version, Path target, long maxSize) throws IOException, InterruptedException;
}
