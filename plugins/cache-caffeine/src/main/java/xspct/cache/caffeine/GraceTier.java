package xspct.cache.caffeine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import xspct.api.CacheLookup;
import xspct.api.CacheTier;
import xspct.api.GraceEntries;

/**
 * The L1 tier with {@code grace}: beside the live buckets, a copy of every entry that lives {@code grace} longer
 * than its lifetime. Lookups read the live buckets only; the core reads the copies ({@link #stale}) only when the
 * backends fail for a lookup. Invalidation removes both, so an invalidated entry is never served stale.
 */
final class GraceTier implements CacheTier, GraceEntries {
    private static final Boolean MARK = Boolean.TRUE;

    private final CacheTier live;
    private final Cache<String, String> aliases;
    private final Cache<String, Map<String, Object>> users;
    private final Cache<String, Boolean> negative;

    GraceTier(CacheTier live, LocalCacheSettings s, Ticker ticker, Executor executor) {
        this.live = live;
        this.aliases = bucket(s.maxEntries(), s.expire().plus(s.grace()), ticker, executor);
        this.users = bucket(s.maxEntries(), s.expire().plus(s.grace()), ticker, executor);
        this.negative = bucket(s.maxEntries(), s.expireNegative().plus(s.grace()), ticker, executor);
    }

    private static <V> Cache<String, V> bucket(long max, Duration ttl, Ticker ticker, Executor ex) {
        return Caffeine.newBuilder().maximumSize(max).expireAfterWrite(ttl).ticker(ticker).executor(ex).build();
    }

    @Override
    public CacheLookup lookup(String address) {
        return live.lookup(address);
    }

    @Override
    public CacheLookup stale(String address) {
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
        live.store(users, aliases);
        users.forEach((pk, user) -> {
            if (pk != null && user != null) {
                // the pipeline never changes a stored object; the copy keeps this bucket's entry independent
                this.users.put(pk, Collections.unmodifiableMap(new LinkedHashMap<>(user)));
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
        live.storeNegative(addresses);
        for (String a : addresses) {
            if (a != null) {
                negative.put(a, MARK);
            }
        }
    }

    @Override
    public void invalidate(Collection<String> addresses) {
        live.invalidate(addresses);
        List<String> userKeys = new ArrayList<>();
        for (String a : addresses) {
            if (a != null) {
                String pk = aliases.getIfPresent(a);
                if (pk != null) {
                    userKeys.add(pk);
                }
                userKeys.add(a);
            }
        }
        List<String> keys = addresses.stream().filter(a -> a != null).toList();
        aliases.invalidateAll(keys);
        negative.invalidateAll(keys);
        users.invalidateAll(userKeys);
    }

    @Override
    public void invalidateAll() {
        live.invalidateAll();
        aliases.invalidateAll();
        users.invalidateAll();
        negative.invalidateAll();
    }

    @Override
    public void close() {
        live.close();
        invalidateAll();
    }
}
