package xspct.core.lookup;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

import xspct.api.CacheLookup;
import xspct.api.CacheTier;
import xspct.api.ConfirmedInvalidation;
import xspct.api.Invalidation;
import xspct.core.stats.Statistics.LookupOutcome;

/**
 * The object cache tiers in level order (L1 first). A hit in a higher tier is copied into the lower ones.
 */
public final class CacheTiers {
    private final List<Tier> tiers;
    /** Lookups per tier and outcome, indexed like {@link #tiers} and {@link LookupOutcome#ordinal()}. */
    private final LongAdder[][] lookups;
    /** Whether a local (level 1) and a shared (level above 1) tier exist: asked on every lookup, so computed once. */
    private final boolean local;
    private final boolean shared;

    /**
     * A configured tier.
     *
     * @param level the tier level (1 = in-process)
     * @param tier  the tier
     * @param name  the providing plugin's name (a metrics label)
     */
    public record Tier(int level, CacheTier tier, String name) {
        /**
         * A tier named after its level.
         *
         * @param level the tier level
         * @param tier  the tier
         */
        public Tier(int level, CacheTier tier) {
            this(level, tier, "L" + level);
        }
    }

    /**
     * The answer of the tiers for one address.
     *
     * @param result positive, negative or miss
     * @param level  the level of the tier that answered; 0 on a miss
     */
    record Result(CacheLookup result, int level) {
        /** Nothing cached, or the caches not asked. */
        static final Result MISSED = new Result(CacheLookup.MISS, 0);
    }

    /**
     * Creates the tiers.
     *
     * @param tiers the enabled tiers, in ascending level
     */
    public CacheTiers(List<Tier> tiers) {
        this.tiers = List.copyOf(tiers);
        this.lookups = new LongAdder[this.tiers.size()][LookupOutcome.values().length];
        this.local = this.tiers.stream().anyMatch(t -> t.level() == 1);
        this.shared = this.tiers.stream().anyMatch(t -> t.level() > 1);
        for (LongAdder[] row : lookups) {
            for (int i = 0; i < row.length; i++) {
                row[i] = new LongAdder();
            }
        }
    }

    /**
     * How often a tier answered a lookup with an outcome, over every endpoint (unlike the GET-only counters of
     * {@link Counters}). A tier is asked only when the tiers before it missed.
     *
     * @param index   the tier's index in {@link #tiers()}
     * @param outcome the outcome
     * @return the count since start
     */
    public long lookups(int index, LookupOutcome outcome) {
        return lookups[index][outcome.ordinal()].sum();
    }

    /** {@return the enabled tiers, in ascending level} */
    public List<Tier> tiers() {
        return tiers;
    }

    boolean isEmpty() {
        return tiers.isEmpty();
    }

    /** {@return true when an in-process tier (level 1) is enabled} */
    public boolean hasLocalTier() {
        return local;
    }

    /** {@return true when a shared tier (a level above 1) is enabled} */
    public boolean hasSharedTier() {
        return shared;
    }

    Result lookup(String address) {
        for (int i = 0; i < tiers.size(); i++) {
            CacheLookup r = tiers.get(i).tier().lookup(address);
            if (r instanceof CacheLookup.Miss) {
                lookups[i][LookupOutcome.MISS.ordinal()].increment();
                continue;
            }
            lookups[i][(r instanceof CacheLookup.Positive ? LookupOutcome.HIT : LookupOutcome.NEGATIVE).ordinal()].increment();
            for (int j = 0; j < i; j++) {
                CacheTier lower = tiers.get(j).tier();
                if (r instanceof CacheLookup.Positive p) {
                    lower.store(Map.of(p.primaryKey(), p.user()), Map.of(address, p.primaryKey()));
                } else {
                    lower.storeNegative(List.of(address));
                }
            }
            return new Result(r, tiers.get(i).level());
        }
        return Result.MISSED;
    }

    /**
     * Writes the records of a lookup: each record under its primary key, and as aliases of that key every value of
     * its {@code aliases} and {@code mail} attributes and every address found for it. The attribute names are fixed
     * (after key translation), as in xspct_db 0.7, so that instances of both can share one shared tier.
     */
    void store(UserRecords records, AddressKeys keys) {
        if (tiers.isEmpty() || (records.isEmpty() && keys.asMap().isEmpty())) {
            return;
        }
        Map<String, String> aliases = new LinkedHashMap<>();
        records.forEach((pk, record) -> {
            addAliases(aliases, record.get("aliases"), pk);
            addAliases(aliases, record.get("mail"), pk);
        });
        keys.asMap().forEach((address, pk) -> {
            if (records.contains(pk)) {
                aliases.put(address, pk);
            }
        });
        if (records.isEmpty() && aliases.isEmpty()) {
            return;
        }
        for (Tier t : tiers) {
            t.tier().store(records.asMap(), aliases);
        }
    }

    private static void addAliases(Map<String, String> aliases, Object values, String pk) {
        if (values instanceof List<?> l) {
            for (Object v : l) {
                if (v != null) {
                    aliases.put(EntryTranslation.text(v), pk);
                }
            }
        } else if (values != null) {
            aliases.put(EntryTranslation.text(values), pk);
        }
    }

    void storeNegative(Collection<String> addresses) {
        if (addresses.isEmpty()) {
            return;
        }
        for (Tier t : tiers) {
            t.tier().storeNegative(addresses);
        }
    }

    /**
     * Removes entries for the addresses from every tier.
     *
     * @param addresses the addresses
     */
    public void invalidate(Collection<String> addresses) {
        for (Tier t : tiers) {
            t.tier().invalidate(addresses);
        }
    }

    /** Removes every entry from every tier. */
    public void invalidateAll() {
        for (Tier t : tiers) {
            t.tier().invalidateAll();
        }
    }

    /**
     * Removes the entries of the addresses from every tier, as {@link #invalidate} does, and says whether the tiers
     * that can confirm it ({@link ConfirmedInvalidation}, a shared tier) did.
     *
     * @param addresses the addresses
     * @return false when a shared tier could not remove or announce them (it was applied in this instance only)
     */
    public boolean invalidateConfirmed(Collection<String> addresses) {
        boolean confirmed = true;
        for (Tier t : tiers) {
            if (t.tier() instanceof ConfirmedInvalidation c) {
                confirmed &= c.invalidateConfirmed(addresses);
            } else {
                t.tier().invalidate(addresses);
            }
        }
        return confirmed;
    }

    /**
     * Removes every entry from every tier and says whether the shared tiers confirmed it.
     *
     * @return false when a shared tier could not remove or announce it
     */
    public boolean invalidateAllConfirmed() {
        boolean confirmed = true;
        for (Tier t : tiers) {
            if (t.tier() instanceof ConfirmedInvalidation c) {
                confirmed &= c.invalidateAllConfirmed();
            } else {
                t.tier().invalidateAll();
            }
        }
        return confirmed;
    }

    /**
     * Applies an invalidation announced by another instance through the shared tier at {@code level}: only the
     * tiers below it evict, since the shared tier already did and invalidating it again would announce it again.
     *
     * @param level        the level of the tier that announced the invalidation
     * @param invalidation what to evict
     */
    public void invalidateBelow(int level, Invalidation invalidation) {
        for (Tier t : tiers) {
            if (t.level() >= level) {
                continue;
            }
            if (invalidation.all()) {
                t.tier().invalidateAll();
            } else {
                t.tier().invalidate(invalidation.addresses());
            }
        }
    }

    /** Closes every tier. */
    public void close() {
        for (Tier t : tiers) {
            t.tier().close();
        }
    }
}
