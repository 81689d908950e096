package xspct.core.pipeline;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Per-query call counts and accumulated time ({@code xspct_db_query_requests_total},
 * {@code xspct_db_query_duration_seconds_total}).
 */
public final class QueryTimings {
    private final Map<String, Timing> timings = new ConcurrentHashMap<>();

    void record(String query, long nanos) {
        Timing t = timings.computeIfAbsent(query, k -> new Timing());
        t.count.increment();
        t.nanos.add(nanos);
    }

    /** {@return a snapshot: query name to (count, total nanoseconds)} */
    public Map<String, long[]> snapshot() {
        Map<String, long[]> out = new java.util.TreeMap<>();
        timings.forEach((k, v) -> out.put(k, new long[] {v.count.sum(), v.nanos.sum()}));
        return out;
    }

    private static final class Timing {
        final LongAdder count = new LongAdder();
        final LongAdder nanos = new LongAdder();
    }
}
