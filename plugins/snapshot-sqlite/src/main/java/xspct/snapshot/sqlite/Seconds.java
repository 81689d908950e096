package xspct.snapshot.sqlite;

import java.nio.file.Path;
import java.time.Duration;

import xspct.api.ConfigNode;

/** Reading helpers shared by the two settings records; each problem names its key. */
final class Seconds {
    private Seconds() {
    }

    /** A positive number of seconds (floats allowed). */
    static Duration positive(ConfigNode n, double def) {
        double v = n.asDouble(def);
        if (!(v > 0) || Double.isInfinite(v)) {
            n.problem("must be a number of seconds greater than 0, got " + n.raw());
            v = def;
        }
        return Duration.ofMillis((long) (v * 1000));
    }

    static int atLeastOne(ConfigNode n, int def) {
        int v = n.asInt(def);
        if (v < 1) {
            n.problem("must be 1 or more, got " + v);
            return def;
        }
        return v;
    }

    /** A required path when the section is enabled. */
    static Path path(ConfigNode n, boolean required) {
        String v = n.asString("");
        if (v.isBlank()) {
            if (required) {
                n.problem("is required");
            }
            return null;
        }
        return Path.of(v);
    }
}
