package xspct.snapshot.sqlite;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import xspct.api.SnapshotVersion;

/** Version names and the API view of stored versions. */
final class Versions {
    private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmssSSS'Z'")
            .withZone(ZoneOffset.UTC);

    private Versions() {
    }

    /** {@return the name for a build at {@code created}, later than {@code previous} even within one millisecond} */
    static String next(Instant created, String previous) {
        Instant t = created;
        String name = NAME.format(t);
        while (previous != null && name.compareTo(previous) <= 0) {
            t = t.plusMillis(1);
            name = NAME.format(t);
        }
        return name;
    }

    static SnapshotVersion view(Manifest m, boolean serving, boolean pinned) {
        return new SnapshotVersion(m.version(), m.created(), m.size(), m.sha256(), serving, pinned);
    }
}
