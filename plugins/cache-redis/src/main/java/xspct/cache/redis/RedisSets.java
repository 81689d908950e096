package xspct.cache.redis;

import java.util.Set;

import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import xspct.api.SetSource;

/** SMEMBERS and SUBSCRIBE for configuration kept in this Redis, under the same breaker as the cache. */
final class RedisSets implements SetSource {
    private static final System.Logger LOG = System.getLogger(RedisTier.class.getName());

    private final RedisLink link;

    RedisSets(RedisLink link) {
        this.link = link;
    }

    @Override
    public Set<String> members(String key) {
        if (!link.breaker().allows()) {
            throw new IllegalStateException("Redis " + link.settings().describe() + " is bypassed (unreachable, circuit "
                    + "breaker open)");
        }
        try {
            Set<String> members;
            try {
                // off the request path (reloads run on the core's scheduler): wait for a client being created
                members = link.client(true).smembers(key);
            } catch (JedisConnectionException e) {
                // a pooled connection left over from before a Redis restart fails once; a reload is rare and
                // worth one more round trip (a request is not: it answers from the backends instead)
                link.failed("SMEMBERS", e);
                if (!link.breaker().allows()) {
                    throw e;
                }
                members = link.client(true).smembers(key);
            }
            link.breaker().success();
            return members;
        } catch (RedisLink.Unavailable e) {
            throw new IllegalStateException("Redis " + link.settings().describe() + ": " + e.getMessage());
        } catch (JedisDataException e) {
            if (String.valueOf(e.getMessage()).startsWith("WRONGTYPE")) {
                // the server answered: a key of another type is a configuration fault, not an outage
                link.breaker().success();
                throw new IllegalStateException("Redis key " + key + " is not a SET");
            }
            link.failed("SMEMBERS", e);
            throw new IllegalStateException("Redis " + link.settings().describe() + ": " + RedisLink.describe(e));
        } catch (RuntimeException e) {
            link.failed("SMEMBERS", e);
            throw new IllegalStateException("Redis " + link.settings().describe() + ": " + RedisLink.describe(e));
        }
    }

    @Override
    public AutoCloseable subscribe(String channel, Runnable onChange) {
        Subscriber sub = link.subscribe("set changes", channel, new Subscriber.Handler() {
            @Override
            public void subscribed(String ch, boolean again) {
                if (again) {
                    LOG.log(System.Logger.Level.INFO, "Redis channel " + ch + " subscribed again; messages "
                            + "may have been missed");
                }
                run(ch);
            }

            @Override
            public void message(String ch, String payload) {
                run(ch);
            }

            private void run(String ch) {
                try {
                    onChange.run();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "handling a message on Redis channel " + ch
                            + " failed: " + e);
                }
            }
        });
        return sub::stop;
    }
}
