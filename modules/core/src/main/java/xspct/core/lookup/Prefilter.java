package xspct.core.lookup;

/**
 * Decides whether an address may reach caches and backends .
 */
public interface Prefilter {

    /** A prefilter that lets every address through ({@code xspct_db_prefilter.enabled: false}). */
    Prefilter OPEN = address -> true;

    /**
     * Filters one canonical address, updating the prefilter counters.
     *
     * @param address the canonical address
     * @return true when the address may be looked up
     */
    boolean pass(String address);
}
