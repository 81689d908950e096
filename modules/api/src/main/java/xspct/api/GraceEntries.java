package xspct.api;

/**
 * An optional role of a {@link CacheTier}: entries past their lifetime kept for a grace period, to be served only
 * when the backends fail for a lookup (as HTTP's {@code stale-if-error} and Varnish's grace). A tier offers it when
 * its configuration asks for a grace period.
 *
 * @since API 2.1
 */
public interface GraceEntries {

    /**
     * Looks an address up among the entries whose lifetime ended less than the grace period ago (and the live
     * ones).
     *
     * @param address the address, verbatim
     * @return positive, negative or miss; never throws
     */
    CacheLookup stale(String address);
}
