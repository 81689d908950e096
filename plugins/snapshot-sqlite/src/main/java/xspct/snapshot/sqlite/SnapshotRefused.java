package xspct.snapshot.sqlite;

/**
 * A snapshot that must not be served (bad signature, digest, size, schema or age), or a download that could not be
 * completed. The message names the version and the reason; it is logged as one line, without a stack trace.
 */
final class SnapshotRefused extends Exception {
    private final boolean worthRetrying;

    SnapshotRefused(String message) {
        this(message, false);
    }

    /**
     * @param worthRetrying true when the same version may succeed later (a full disk, a broken download); false
     *                      when the version itself is bad, so that it is not downloaded again
     */
    SnapshotRefused(String message, boolean worthRetrying) {
        super(message, null, false, false);
        this.worthRetrying = worthRetrying;
    }

    boolean worthRetrying() {
        return worthRetrying;
    }
}
