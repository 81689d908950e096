package xspct.core.pipeline;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * Per-query call counts, accumulated time and failed calls ({@code xspct_db_query_requests_total},
 * {@code xspct_db_query_duration_seconds_total}, {@code xspct_db_query_errors_total}), with the fastest and slowest call for the stats log lines.
 * Listeners (the metrics endpoint's latency histograms) are told of every call.
 */
public final class QueryTimings {
    private final Map<String, Timing> timings = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<Listener> listeners = new CopyOnWriteArrayList<>();

    /** Told of every recorded query call; called on the request's thread, so it must be quick. */
    @FunctionalInterface
    public interface Listener {
        /**
         * One call of a query ended.
         *
         * @param query the query name
         * @param nanos how long it took
         */
        void recorded(String query, long nanos);
    }

    /**
     * The totals of one query.
     *
     * @param count    calls
     * @param nanos    total time
     * @param minNanos fastest call
     * @param maxNanos slowest call
     */
    public record Totals(long count, long nanos, long minNanos, long maxNanos) {
    }

    /**
     * Adds a listener.
     *
     * @param listener the listener
     */
    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    /**
     * Records one call of a query (the dispatcher does, after every backend call).
     *
     * @param query the query name
     * @param nanos how long the call took
     */
    public void record(String query, long nanos) {
        Timing t = timings.computeIfAbsent(query, k -> new Timing());
        t.count.increment();
        t.nanos.add(nanos);
        t.min.accumulate(nanos);
        t.max.accumulate(nanos);
        for (Listener l : listeners) {
            l.recorded(query, nanos);
        }
    }

    /**
     * Records that a call of a query failed (the backend threw or answered with an error); the call itself is
     * recorded with {@link #record} too.
     *
     * @param query the query name
     */
    public void recordError(String query) {
        errors.computeIfAbsent(query, k -> new LongAdder()).increment();
    }

    /**
     * The failed calls of one query.
     *
     * @param query the query name
     * @return failed calls since start, zero when none failed
     */
    public long errors(String query) {
        LongAdder e = errors.get(query);
        return e == null ? 0 : e.sum();
    }

    /** {@return a snapshot: query name to (count, total nanoseconds)} */
    public Map<String, long[]> snapshot() {
        Map<String, long[]> out = new TreeMap<>();
        timings.forEach((k, v) -> out.put(k, new long[] {v.count.sum(), v.nanos.sum()}));
        return out;
    }

    /** {@return the totals of every query that ran at least once, by name} */
    public Map<String, Totals> totals() {
        Map<String, Totals> out = new TreeMap<>();
        timings.forEach((k, v) -> out.put(k, new Totals(v.count.sum(), v.nanos.sum(), v.min.get(), v.max.get())));
        return out;
    }

    /**
     * The totals of one query.
     *
     * @param query the query name
     * @return calls and time, zero when it never ran
     */
    public Totals totals(String query) {
        Timing v = timings.get(query);
        return v == null ? new Totals(0, 0, 0, 0)
                : new Totals(v.count.sum(), v.nanos.sum(), v.min.get(), v.max.get());
    }

    private static final class Timing {
        final LongAdder count = new LongAdder();
        final LongAdder nanos = new LongAdder();
        final LongAccumulator min = new LongAccumulator(Math::min, Long.MAX_VALUE);
        final LongAccumulator max = new LongAccumulator(Math::max, 0);
    }
}
