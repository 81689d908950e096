package xspct.api;

import java.util.List;

/**
 * One configured query of a backend: created by a {@link BackendProvider} from the query's configuration section,
 * it answers batches of addresses until it is closed.
 *
 * <p>Implementations must be thread-safe: the core calls {@link #lookup} concurrently from virtual threads.
 * A backend should answer a batch with as few round trips as possible (one search or statement per batch).
 *
 * <p>A backend with resources worth watching (a connection pool) also implements {@link ResourceGauges}; one with a
 * pool for the {@code STATS} lines implements {@link PooledBackend}.
 */
public interface Backend extends AutoCloseable {

    /**
     * Looks up a batch of addresses.
     *
     * @param requests the batch, in request order; never empty
     * @return the entries found, or an error body; exceptions other than {@link InterruptedException} are
     *         treated as {@code 500 Internal Server Error}
     * @throws InterruptedException when the request was cancelled while waiting
     */
    BackendResult lookup(List<LookupRequest> requests) throws InterruptedException;

    /**
     * The error body a lookup answers with when an entry this backend returned cannot be translated by the query's
     * settings (for instance an {@code attr_list} that keeps nothing): the backend's own query error text, such as
     * {@code 500 LDAP query error}.
     *
     * @return the error body; {@code 500 invalid query config} by default
     * @since API 2.0
     */
    default String translationError() {
        return "500 invalid query config";
    }

    /** Releases the backend's resources (pools, threads). Called once at shutdown. */
    @Override
    default void close() {
    }
}
