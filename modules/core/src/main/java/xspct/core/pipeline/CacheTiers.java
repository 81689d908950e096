package xspct.core.pipeline;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

import xspct.api.CacheLookup;
import xspct.api.CacheTier;
import xspct.api.ConfirmedInvalidation;
import xspct.api.Invalidation;

/**
 * The object cache tiers in level order (L1 first). A hit in a higher tier is copied into the lower ones.
 */
public final class CacheTiers {
    private final List<Tier> tiers;
    /** Lookups per tier and outcome, indexed like {@link #tiers} and {@link Outcome#ordinal()}. */
    private final LongAdder[][] lookups;

    /**
     * A configured tier.
     *
     * @param level the tier level (1 = in-process)
     * @param tier  the tier
     * @param name  the providing plugin's name, e.g. {@code caffeine} (a metrics label)
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

    /** What one tier answered to a lookup. */
    public enum Outcome {
        /** A positive entry. */
        HIT,
        /** A negative entry (the address is known not to exist). */
        NEGATIVE,
        /** Nothing cached. */
        MISS
    }

    /**
     * The answer of the tiers for one address.
     *
     * @param result positive, negative or miss
     * @param level  the level of the tier that answered; 0 on a miss
     */
    record Result(CacheLookup result, int level) {
    }

    /**
     * Creates the tiers.
     *
     * @param tiers the enabled tiers, in ascending level
     */
    public CacheTiers(List<Tier> tiers) {
        this.tiers = List.copyOf(tiers);
        this.lookups = new LongAdder[this.tiers.size()][Outcome.values().length];
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
    public long lookups(int index, Outcome outcome) {
        return lookups[index][outcome.ordinal()].sum();
    }

    /** {@return the enabled tiers, in ascending level} */
    public List<Tier> tiers() {
        return tiers;
    }

    boolean isEmpty() {
        return tiers.isEmpty();
    }

    /**
     * Whether a tier of a level is enabled.
     *
     * @param level the level, e.g. 2 for the shared (Redis) tier
     * @return true when one of the tiers has it
     */
    public boolean hasLevel(int level) {
        return tiers.stream().anyMatch(t -> t.level() == level);
    }

    Result lookup(String address) {
        for (int i = 0; i < tiers.size(); i++) {
            CacheLookup r = tiers.get(i).tier().lookup(address);
            if (r instanceof CacheLookup.Miss) {
                lookups[i][Outcome.MISS.ordinal()].increment();
                continue;
            }
            lookups[i][(r instanceof CacheLookup.Positive ? Outcome.HIT : Outcome.NEGATIVE).ordinal()].increment();
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
        return new Result(CacheLookup.MISS, 0);
    }

    void store(Map<String, Map<String, Object>> users, Map<String, String> aliases) {
        if (users.isEmpty() && aliases.isEmpty()) {
            return;
        }
        for (Tier t : tiers) {
            t.tier().store(users, aliases);
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
