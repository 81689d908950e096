/**
 * The {@code redis} cache tier: the shared L2 object cache configured by {@code xspct_db_redis_cache}.
 */
module xspct.cache.redis {
    requires xspct.api;
    requires redis.clients.jedis;
    requires org.apache.commons.pool2;
    requires com.google.gson;
    provides xspct.api.CacheTierProvider with xspct.cache.redis.RedisCacheProvider;
}
