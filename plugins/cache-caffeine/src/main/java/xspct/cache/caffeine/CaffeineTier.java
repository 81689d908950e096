package xspct.cache.caffeine;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import xspct.api.CacheLookup;
import xspct.api.CacheTier;

/**
 * The three L1 buckets. Caffeine's caches are concurrent, so the tier needs no locking; the two reads of a lookup
 * (alias, then user) are not atomic, which at worst turns a hit into a miss when the user expires in between.
 */
final class CaffeineTier implements CacheTier {
    private static final Boolean MARK = Boolean.TRUE;

    private final Cache<String, String> aliases;
    private final Cache<String, Map<String, Object>> users;
    private final Cache<String, Boolean> negative;

    /**
     * Creates the buckets.
     *
     * @param s        the settings
     * @param ticker   the clock expiry is measured with (a fake one in tests)
     * @param executor where Caffeine runs its maintenance (the calling thread here: the buckets are small)
     */
    CaffeineTier(LocalCacheSettings s, Ticker ticker, Executor executor) {
        this.aliases = bucket(s.maxEntries(), s.expire(), ticker, executor);
        this.users = bucket(s.maxEntries(), s.expire(), ticker, executor);
        this.negative = bucket(s.maxEntries(), s.expireNegative(), ticker, executor);
    }

    private static <V> Cache<String, V> bucket(long max, java.time.Duration ttl, Ticker ticker, Executor ex) {
        return Caffeine.newBuilder()
                .maximumSize(max)
                .expireAfterWrite(ttl)
                .ticker(ticker)
                .executor(ex)
                .build();
    }

    @Override
    public CacheLookup lookup(String address) {
        String pk = aliases.getIfPresent(address);
        if (pk != null) {
            Map<String, Object> user = users.getIfPresent(pk);
            if (user != null) {
                return new CacheLookup.Positive(pk, user);
            }
        }
        return negative.getIfPresent(address) != null ? CacheLookup.NEGATIVE : CacheLookup.MISS;
    }

    @Override
    public void store(Map<String, Map<String, Object>> users, Map<String, String> aliases) {
        users.forEach((pk, user) -> {
            if (pk != null && user != null) {
                this.users.put(pk, Frozen.user(user));
            }
        });
        aliases.forEach((address, pk) -> {
            if (address != null && pk != null) {
                this.aliases.put(address, pk);
            }
        });
    }

    @Override
    public void storeNegative(Collection<String> addresses) {
        for (String a : addresses) {
            if (a != null) {
                negative.put(a, MARK);
            }
        }
    }

    /**
     * Removes the alias and negative entries of each address, the user stored under the address, and the user
     * its alias pointed to: other aliases of that user must not keep answering with the stale object.
     */
    @Override
    public void invalidate(Collection<String> addresses) {
        List<String> userKeys = new ArrayList<>(addresses.size() * 2);
        for (String a : addresses) {
            if (a == null) {
                continue;
            }
            String pk = aliases.getIfPresent(a);
            if (pk != null) {
                userKeys.add(pk);
            }
            userKeys.add(a);
        }
        List<String> keys = addresses.stream().filter(a -> a != null).toList();
        aliases.invalidateAll(keys);
        negative.invalidateAll(keys);
        users.invalidateAll(userKeys);
    }

    @Override
    public void invalidateAll() {
        aliases.invalidateAll();
        users.invalidateAll();
        negative.invalidateAll();
    }

    @Override
    public void close() {
        invalidateAll();
    }

    /** Runs pending maintenance (evictions), for tests. */
    void cleanUp() {
        aliases.cleanUp();
        users.cleanUp();
        negative.cleanUp();
    }

    /** {@return the estimated entries per bucket: aliases, users, negative}, for tests */
    long[] sizes() {
        return new long[] {aliases.estimatedSize(), users.estimatedSize(), negative.estimatedSize()};
    }
}
