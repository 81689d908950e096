package xspct.cache.caffeine;

import java.time.Duration;

import xspct.api.ConfigNode;

/**
 * {@code xspct_db_local_cache}, with the original's defaults for the keys the section leaves out.
 *
 * @param enabled        {@code enabled}
 * @param expire         {@code expire}: lifetime of alias and user entries after their last write
 * @param expireNegative {@code expire_negative}: lifetime of negative entries
 * @param maxEntries     {@code max_entries}: bound of the users and aliases (2 x) and of the negative entries
 * @param maxBytes       {@code max_bytes}: when above 0, bound of the estimated heap of users and aliases, instead
 *                       of {@code max_entries}
 * @param grace          {@code grace}: how long an entry past its lifetime is kept to answer when the backends
 *                       fail (0, the default: not at all)
 */
record LocalCacheSettings(boolean enabled, Duration expire, Duration expireNegative, long maxEntries,
                          long maxBytes, Duration grace) {

    static LocalCacheSettings read(ConfigNode section) {
        boolean enabled = section.get("enabled").asBoolean(true);
        Duration expire = seconds(section.get("expire"), 20);
        Duration expireNegative = seconds(section.get("expire_negative"), 20);
        ConfigNode maxNode = section.get("max_entries");
        long max = maxNode.asInt(10000);
        if (max < 0) {
            maxNode.problem("must not be negative, got " + max);
            max = 10000;
        }
        long maxBytes = bytes(section.get("max_bytes"));
        if (enabled && maxBytes > Runtime.getRuntime().maxMemory()) {
            section.get("max_bytes").warning(maxBytes + " is more than the JVM's maximum heap ("
                    + Runtime.getRuntime().maxMemory() + " bytes, -Xmx): L1 can run the server out of memory");
        }
        Duration grace = seconds(section.get("grace"), 0);
        return new LocalCacheSettings(enabled, expire, expireNegative, max, maxBytes, grace);
    }

    /** A byte count: a whole number, or one with a binary suffix {@code k}, {@code M} or {@code G}; 0 when absent. */
    private static long bytes(ConfigNode n) {
        Object raw = n.raw();
        if (raw == null) {
            return 0;
        }
        String text = raw.toString().strip();
        long unit = 1;
        if (raw instanceof String && !text.isEmpty()) {
            int suffix = "kMG".indexOf(text.charAt(text.length() - 1));
            if (suffix >= 0) {
                unit = 1L << (10 * (suffix + 1));
                text = text.substring(0, text.length() - 1).strip();
            }
        }
        try {
            long v = Long.parseLong(text);
            if (v >= 0 && v <= Long.MAX_VALUE / unit) {
                return v * unit;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        n.problem("must be a number of bytes, 0 or more, optionally with the suffix k, M or G (e.g. 256M), got "
                + raw);
        return 0;
    }

    /** Seconds as in the original (floats allowed); 0 keeps nothing. */
    private static Duration seconds(ConfigNode n, double def) {
        double v = n.asDouble(def);
        if (v < 0 || Double.isNaN(v) || Double.isInfinite(v)) {
            n.problem("must be a number of seconds, 0 or more, got " + n.raw());
            v = def;
        }
        return Duration.ofNanos((long) (v * 1e9));
    }
}
