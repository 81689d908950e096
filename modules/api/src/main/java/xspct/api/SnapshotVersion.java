package xspct.api;

import java.time.Instant;

/**
 * One local snapshot version.
 *
 * @param version the version name (sortable: a later version sorts after an earlier one)
 * @param created when the central built it
 * @param size    the file size in bytes
 * @param sha256  the file's SHA-256, hexadecimal
 * @param serving true for the version answering lookups
 * @param pinned  true when an operator pinned this version
 * @since API 2.1
 */
public record SnapshotVersion(String version, Instant created, long size, String sha256, boolean serving,
                              boolean pinned) {
}
