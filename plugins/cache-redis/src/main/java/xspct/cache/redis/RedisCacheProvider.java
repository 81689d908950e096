package xspct.cache.redis;

import java.util.Optional;

import xspct.api.ApiVersion;
import xspct.api.CacheContext;
import xspct.api.CacheTier;
import xspct.api.CacheTierProvider;

/**
 * The L2 tier : a Redis shared by every instance, with the key layout of xspct_db 0.7, a circuit
 * breaker closed again by a periodic health probe, and fleet-wide invalidation over pub/sub.
 */
public final class RedisCacheProvider implements CacheTierProvider {
    @Override
    public String apiVersion() {
        return ApiVersion.CURRENT;
    }

    /** The configuration section this tier reads. */
    public static final String CONFIG_KEY = "xspct_db_redis_cache";

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public String configKey() {
        return CONFIG_KEY;
    }

    @Override
    public int level() {
        return 2;
    }

    @Override
    public void check(CacheContext context) {
        prepare(context); // reads the section and loads ca_file; connects nothing
    }

    @Override
    public boolean offersSets(CacheContext context) {
        return RedisCacheSettings.read(context.section(), context.root()).enabled(); // an enabled tier keeps sets
    }

    @Override
    public Optional<CacheTier> create(CacheContext context) {
        return prepare(context).map(p -> new RedisTier(p.settings(), p.connections()));
    }

    private record Prepared(RedisCacheSettings settings, RedisConnections connections) {
    }

    private static Optional<Prepared> prepare(CacheContext context) {
        RedisCacheSettings s = RedisCacheSettings.read(context.section(), context.root());
        if (!s.enabled()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Prepared(s, new RedisConnections(s)));
        } catch (IllegalArgumentException e) {
            context.section().get("ca_file").problem(e.getMessage().replaceFirst("^[a-z_.]+: ", ""));
            return Optional.empty();
        }
    }
}
