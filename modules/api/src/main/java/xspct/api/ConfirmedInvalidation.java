package xspct.api;

import java.util.Collection;

/**
 * A role a shared {@link CacheTier} may also play: invalidations that say whether they reached the shared store
 * and were announced to the other instances. A change feed evicts through it and retries what was not confirmed,
 * so that a change is not lost while the store is unreachable (a plain {@link CacheTier#invalidate} is then applied
 * in this instance only).
 *
 * @since API 2.2
 */
public interface ConfirmedInvalidation {

    /**
     * Does what {@link CacheTier#invalidate} does.
     *
     * @param addresses the addresses
     * @return true when the entries were removed from the shared store and the removal was announced
     */
    boolean invalidateConfirmed(Collection<String> addresses);

    /**
     * Does what {@link CacheTier#invalidateAll} does.
     *
     * @return true when every entry was removed from the shared store and the removal was announced
     */
    boolean invalidateAllConfirmed();
}
