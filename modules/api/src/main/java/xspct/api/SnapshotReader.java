package xspct.api;

import java.util.Optional;

/**
 * A lease on the open snapshot that serves lookups. A swap to a newer version does not disturb a lease: the old
 * version is closed when its last lease is. Close the lease when the lookup is done.
 *
 * @since API 2.1
 */
public interface SnapshotReader extends AutoCloseable {

    /** {@return the version answering} */
    String version();

    /**
     * The answer for an address.
     *
     * @param address the canonical address
     * @return the primary key and user object, or empty when the address is not in the snapshot
     */
    Optional<Entry> address(String address);

    /**
     * The wildcard answer of a domain.
     *
     * @param domain the domain
     * @return the wildcard key, its primary key and user object, or empty
     */
    Optional<Entry> wildcard(String domain);

    /** Releases the lease. */
    @Override
    void close();

    /**
     * An answer of the snapshot.
     *
     * @param key        the address or wildcard key looked up
     * @param primaryKey the user's primary key
     * @param json       the user object as JSON
     */
    record Entry(String key, String primaryKey, String json) {
    }
}
