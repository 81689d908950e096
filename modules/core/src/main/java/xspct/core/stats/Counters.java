package xspct.core.stats;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The service's process-wide counters ({@code xspct_db_*_total}), named after their metric without
 * the {@code xspct_db_} prefix and {@code _total} suffix. The counters of the shared cache tier keep the metric names
 * of xspct_db 0.7, whose only shared tier was Redis. Thread-safe.
 */
public final class Counters {
    /** Counter names, in exposition order. */
    public enum Name {
        REQUESTS("requests"), REQUESTS_KNOWN("requests_known"), REQUESTS_UNKNOWN("requests_unknown"),
        LOCAL_CACHE_HITS("local_cache_hits"), LOCAL_CACHE_MISSES("local_cache_misses"),
        RESPONSE_CACHE_HITS("response_cache_hits"), RESPONSE_CACHE_MISSES("response_cache_misses"),
        SHARED_CACHE_HITS("redis_hits"), SHARED_CACHE_MISSES("redis_misses"),
        SHARED_CACHE_NEGATIVE_HITS("redis_negative_hits"),
        FOREGROUND_OVERLOADED("foreground_overloaded"), REQUESTS_TIMEOUT("requests_timeout"),
        BACKGROUND_COMPLETED("background_completed"), BACKGROUND_REJECTED("background_rejected"),
        BACKGROUND_ERRORS("background_errors"),
        WILDCARD_DOMAIN_HITS("wildcard_domain_hits"), WILDCARD_DOMAIN_MISSES("wildcard_domain_misses"),
        PREFILTER_DOMAIN_HITS("prefilter_domain_hits"), PREFILTER_DOMAIN_MISSES("prefilter_domain_misses"),
        PREFILTER_PATTERN_HITS("prefilter_pattern_hits"), PREFILTER_PATTERN_MISSES("prefilter_pattern_misses"),
        SNAPSHOT_ANSWERS("snapshot_answers"), LOCAL_CACHE_GRACE_HITS("local_cache_grace_hits");

        private final String metric;

        Name(String metric) {
            this.metric = metric;
        }

        /** {@return the metric name without prefix and suffix} */
        public String metric() {
            return metric;
        }
    }

    private final LongAdder[] adders = new LongAdder[Name.values().length];

    /** Creates zeroed counters. */
    public Counters() {
        for (int i = 0; i < adders.length; i++) {
            adders[i] = new LongAdder();
        }
    }

    /**
     * Adds one.
     *
     * @param name the counter
     */
    public void inc(Name name) {
        adders[name.ordinal()].increment();
    }

    /**
     * Current value.
     *
     * @param name the counter
     * @return the value
     */
    public long get(Name name) {
        return adders[name.ordinal()].sum();
    }

    /** {@return all counters by name, in declaration order} */
    public Map<Name, Long> snapshot() {
        Map<Name, Long> m = new LinkedHashMap<>();
        for (Name n : Name.values()) {
            m.put(n, get(n));
        }
        return m;
    }
}
