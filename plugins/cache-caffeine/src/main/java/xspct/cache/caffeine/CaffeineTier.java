package xspct.cache.caffeine;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executor;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import com.github.benmanes.caffeine.cache.Weigher;
import xspct.api.CacheLookup;
import xspct.api.CacheTier;

/**
 * L1: users and aliases in one Caffeine cache of compact {@link Slot}s keyed by address, negative entries in a
 * second one with their own lifetime. Caffeine's caches are concurrent, so the tier needs no locking; the two reads
 * of a lookup through an alias are not atomic, which at worst turns a hit into a miss when the user expires in
 * between. An address's alias and user share one entry and its lifetime: writing either restarts the clock of both.
 */
final class CaffeineTier implements CacheTier {
    private static final Boolean MARK = Boolean.TRUE;

    private final AttributeNames names = new AttributeNames();
    private final Cache<String, Slot> slots;
    private final Cache<String, Boolean> negative;

    /**
     * Creates the caches.
     *
     * @param s        the settings
     * @param ticker   the clock expiry is measured with (a fake one in tests)
     * @param executor where Caffeine runs its maintenance (the calling thread here: it is cheap)
     */
    CaffeineTier(LocalCacheSettings s, Ticker ticker, Executor executor) {
        // max_entries bounds users and aliases each; one slot holds one or both, so the slots' bound is twice it
        Weigher<String, Slot> weigher = s.maxBytes() > 0 ? EntrySize::of : (k, v) -> v.entries();
        long bound = s.maxBytes() > 0 ? s.maxBytes() : 2 * s.maxEntries();
        this.slots = Caffeine.newBuilder()
                .maximumWeight(bound)
                .weigher(weigher)
                .expireAfterWrite(s.expire())
                .ticker(ticker)
                .executor(executor)
                .build();
        this.negative = Caffeine.newBuilder()
                .maximumSize(s.maxEntries())
                .expireAfterWrite(s.expireNegative())
                .ticker(ticker)
                .executor(executor)
                .build();
    }

    @Override
    public CacheLookup lookup(String address) {
        Slot slot = slots.getIfPresent(address);
        if (slot != null && slot.aliasOf() != null) {
            String pk = slot.aliasOf() == Slot.SELF ? address : slot.aliasOf();
            Slot owner = pk == address ? slot : slots.getIfPresent(pk);
            Object user = owner == null ? null : owner.user();
            if (user != null) {
                return new CacheLookup.Positive(pk, user(user));
            }
        }
        return negative.getIfPresent(address) != null ? CacheLookup.NEGATIVE : CacheLookup.MISS;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> user(Object stored) {
        return stored instanceof byte[] b ? CompactUser.decode(b, names) : (Map<String, Object>) stored;
    }

    @Override
    public void store(Map<String, Map<String, Object>> users, Map<String, String> aliases) {
        Map<String, Slot> writes = new LinkedHashMap<>(Math.max(4, (users.size() + aliases.size()) * 2));
        users.forEach((pk, user) -> {
            if (pk != null && user != null) {
                byte[] compact = CompactUser.encode(user, names);
                writes.put(pk, new Slot(null, compact != null ? compact : Frozen.user(user)));
            }
        });
        aliases.forEach((address, pk) -> {
            if (address != null && pk != null) {
                Slot alias = new Slot(pk.equals(address) ? Slot.SELF : pk, null);
                writes.merge(address, alias, Slot::updatedBy);
            }
        });
        writes.forEach((key, slot) -> slots.asMap().merge(key, slot, Slot::updatedBy));
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
        for (String a : addresses) {
            if (a == null) {
                continue;
            }
            Slot slot = slots.asMap().remove(a);
            negative.invalidate(a);
            if (slot != null && slot.aliasOf() != null && slot.aliasOf() != Slot.SELF) {
                slots.asMap().computeIfPresent(slot.aliasOf(), (pk, owner) -> owner.withoutUser());
            }
        }
    }

    @Override
    public void invalidateAll() {
        slots.invalidateAll();
        negative.invalidateAll();
    }

    @Override
    public void close() {
        invalidateAll();
    }

    /** Runs pending maintenance (evictions), for tests. */
    void cleanUp() {
        slots.cleanUp();
        negative.cleanUp();
    }

    /** {@return the entries held: aliases, users, negative}, for tests */
    long[] sizes() {
        long aliases = 0;
        long users = 0;
        for (Slot s : slots.asMap().values()) {
            aliases += s.aliasOf() != null ? 1 : 0;
            users += s.user() != null ? 1 : 0;
        }
        return new long[] {aliases, users, negative.estimatedSize()};
    }
}
