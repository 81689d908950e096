package xspct.api;

/**
 * Receives the content of a snapshot while it is built. Called from one thread.
 *
 * @since API 2.1
 */
public interface SnapshotSink {

    /**
     * A final user object.
     *
     * @param primaryKey the user's primary key
     * @param json       the user object as the lookup endpoints encode it (UTF-8 JSON)
     */
    void user(String primaryKey, String json);

    /**
     * An address and the primary key it resolves to.
     *
     * @param address    the address
     * @param primaryKey a primary key given to {@link #user}
     */
    void address(String address, String primaryKey);

    /**
     * The wildcard entry of a domain: the answer for addresses of the domain nobody else answers.
     *
     * @param domain     the domain
     * @param key        the wildcard key the central derived (e.g. {@code @example.org})
     * @param primaryKey a primary key given to {@link #user}
     */
    void wildcard(String domain, String key, String primaryKey);
}
