package xspct.cache.caffeine;

import java.time.Duration;

import xspct.api.ConfigNode;

/**
 * {@code xspct_db_local_cache}, defaults already merged by the core.
 *
 * @param enabled        {@code enabled}
 * @param expire         {@code expire}: lifetime of alias and user entries after their last write
 * @param expireNegative {@code expire_negative}: lifetime of negative entries
 * @param maxEntries     {@code max_entries}: bound of each of the three buckets
 * @param grace          {@code grace}: how long an entry past its lifetime is kept to answer when the backends
 *                       fail (0, the default: not at all)
 */
record LocalCacheSettings(boolean enabled, Duration expire, Duration expireNegative, long maxEntries,
                          Duration grace) {

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
        Duration grace = seconds(section.get("grace"), 0);
        return new LocalCacheSettings(enabled, expire, expireNegative, max, grace);
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
