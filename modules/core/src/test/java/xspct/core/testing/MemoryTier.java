package xspct.core.testing;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import xspct.api.CacheContext;
import xspct.api.CacheLookup;
import xspct.api.CacheTier;
import xspct.api.CacheTierProvider;

/**
 * An unbounded in-memory L1 tier without TTLs for service-level tests; its buckets and write count are open for
 * assertions.
 */
public final class MemoryTier implements CacheTier {
    /** Address to primary key. */
    public final Map<String, String> aliases = new ConcurrentHashMap<>();
    /** Primary key to user object. */
    public final Map<String, Map<String, Object>> users = new ConcurrentHashMap<>();
    /** Negative entries. */
    public final Map<String, Boolean> negative = new ConcurrentHashMap<>();
    /** How often {@link #store} was called. */
    public final AtomicInteger stores = new AtomicInteger();

    @Override
    public CacheLookup lookup(String address) {
        String pk = aliases.get(address);
        if (pk != null && users.containsKey(pk)) {
            return new CacheLookup.Positive(pk, users.get(pk));
        }
        return negative.containsKey(address) ? CacheLookup.NEGATIVE : CacheLookup.MISS;
    }

    @Override
    public void store(Map<String, Map<String, Object>> u, Map<String, String> a) {
        stores.incrementAndGet();
        users.putAll(u);
        aliases.putAll(a);
    }

    @Override
    public void storeNegative(Collection<String> addresses) {
        addresses.forEach(x -> negative.put(x, true));
    }

    @Override
    public void invalidate(Collection<String> addresses) {
        addresses.forEach(x -> {
            aliases.remove(x);
            negative.remove(x);
            users.remove(x);
        });
    }

    @Override
    public void invalidateAll() {
        aliases.clear();
        users.clear();
        negative.clear();
    }

    /** {@return a level-1 provider for {@code xspct_db_local_cache} handing out this tier unless disabled} */
    public CacheTierProvider provider() {
        MemoryTier tier = this;
        return new CacheTierProvider() {
            @Override
            public String name() {
                return "memory";
            }

            @Override
            public String configKey() {
                return "xspct_db_local_cache";
            }

            @Override
            public int level() {
                return 1;
            }

            @Override
            public Optional<CacheTier> create(CacheContext context) {
                return context.section().get("enabled").asBoolean(true) ? Optional.of(tier) : Optional.empty();
            }
        };
    }
}
