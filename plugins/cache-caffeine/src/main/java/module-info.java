/**
 * The {@code caffeine} cache tier: the in-process L1 object cache configured by {@code xspct_db_local_cache}.
 */
module xspct.cache.caffeine {
    requires xspct.api;
    requires com.github.benmanes.caffeine;
    provides xspct.api.CacheTierProvider with xspct.cache.caffeine.CaffeineTierProvider;
}
