package xspct.api;

import java.util.Optional;

/**
 * Keeps small named values (such as an LDAP sync cookie) across restarts: in the shared store when one is
 * configured, so that the whole fleet resumes from it, else in a local file. A shared {@link CacheTier} may
 * implement this role too; the core then gives it to the feeds (the {@code redis} tier does).
 *
 * @since API 2.2
 */
public interface ChangeFeedStateStore {

    /**
     * Reads a value.
     *
     * @param name the value's name, e.g. {@code ldap-cookie.users}
     * @return the value, or empty when none was saved or the store cannot be read
     */
    Optional<byte[]> load(String name);

    /**
     * Saves a value, replacing the previous one.
     *
     * @param name  the value's name
     * @param value the value
     * @return true when it was saved
     */
    boolean save(String name, byte[] value);
}
