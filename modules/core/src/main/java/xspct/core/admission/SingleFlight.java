package xspct.core.admission;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * Runs one computation per key at a time: requests for a key arriving while its computation runs share that
 * computation's outcome (no stampede on a cold response cache). Thread-safe.
 *
 * @param <K> the key
 * @param <V> the outcome
 */
public final class SingleFlight<K, V> {
    private final Map<K, CompletableFuture<V>> flights = new ConcurrentHashMap<>();

    /** A computation. */
    @FunctionalInterface
    public interface Computation<V> {
        /**
         * Computes the outcome.
         *
         * @return the outcome
         * @throws Exception a failure, shared by every waiting request
         */
        V compute() throws Exception;
    }

    /**
     * Computes the outcome for a key, or waits for the running computation of the same key and shares its outcome.
     *
     * @param key     the key
     * @param compute the computation, run only when no other is running for the key
     * @return the outcome
     * @throws Exception the computation's failure
     */
    public V run(K key, Computation<V> compute) throws Exception {
        CompletableFuture<V> mine = new CompletableFuture<>();
        CompletableFuture<V> leader = flights.putIfAbsent(key, mine);
        if (leader != null) {
            try {
                return leader.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Exception ex) {
                    throw ex;
                }
                throw e;
            }
        }
        try {
            V v = compute.compute();
            mine.complete(v);
            return v;
        } catch (Exception | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            flights.remove(key, mine);
        }
    }
}
