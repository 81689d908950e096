package xspct.core.lookup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import xspct.api.CacheLookup;
import xspct.api.Invalidation;
import xspct.core.testing.MemoryTier;

/**
 * A lookup that read an answer just before its address was invalidated must not write it back afterwards: the old
 * answer would otherwise outlive the invalidation until its TTL.
 */
class CacheTiersTest {
    private static final String A = "a@ex.test";
    private static final String B = "b@ex.test";

    private final MemoryTier l1 = new MemoryTier();
    private final MemoryTier l2 = new MemoryTier();

    private static UserRecords records(String... pks) {
        UserRecords r = new UserRecords();
        for (String pk : pks) {
            r.put(pk, Map.of("mail", List.of(pk), "quota", List.of("1")));
        }
        return r;
    }

    private static AddressKeys keys(String... addresses) {
        AddressKeys k = new AddressKeys();
        for (String a : addresses) {
            k.put(a, a);
        }
        return k;
    }

    @Test
    void aWriteBackOfAnAnswerReadBeforeAnInvalidationOfItsAddressIsDropped() {
        CacheTiers tiers = new CacheTiers(List.of(new CacheTiers.Tier(1, l1), new CacheTiers.Tier(2, l2)));
        long before = tiers.mark();
        tiers.invalidate(List.of(A));
        tiers.store(records(A), keys(A), before);
        tiers.storeNegative(List.of(A), before);
        assertTrue(l1.aliases.isEmpty() && l1.negative.isEmpty() && l2.aliases.isEmpty() && l2.negative.isEmpty());

        tiers.store(records(B), keys(B), before);
        assertEquals(B, l1.aliases.get(B), "another address read before the invalidation is written");
        tiers.store(records(A), keys(A), tiers.mark());
        assertEquals(A, l2.aliases.get(A), "an answer read after the invalidation is written");
    }

    @Test
    void anInvalidationOfEverythingDropsEveryEarlierWriteBack() {
        CacheTiers tiers = new CacheTiers(List.of(new CacheTiers.Tier(1, l1)));
        long before = tiers.mark();
        tiers.invalidateAll();
        tiers.store(records(B), keys(B), before);
        assertTrue(l1.aliases.isEmpty());
    }

    @Test
    void anInvalidationAnnouncedByAnotherInstanceDropsEarlierWriteBacksToo() {
        CacheTiers tiers = new CacheTiers(List.of(new CacheTiers.Tier(1, l1), new CacheTiers.Tier(2, l2)));
        long before = tiers.mark();
        tiers.invalidateBelow(2, Invalidation.of(List.of(A)));
        tiers.store(records(A), keys(A), before);
        assertTrue(l1.aliases.isEmpty() && l2.aliases.isEmpty());
    }

    @Test
    void aSharedTierHitReadBeforeAnInvalidationIsNotCopiedIntoTheLocalTier() {
        CacheTiers[] tiers = new CacheTiers[1];
        // the invalidation lands between the read of the shared tier and the copy into L1
        MemoryTier shared = new MemoryTier() {
            @Override
            public CacheLookup lookup(String address) {
                CacheLookup r = super.lookup(address);
                tiers[0].invalidateBelow(2, Invalidation.of(List.of(address)));
                return r;
            }
        };
        shared.store(Map.of(A, Map.of("mail", List.of(A))), Map.of(A, A));
        tiers[0] = new CacheTiers(List.of(new CacheTiers.Tier(1, l1), new CacheTiers.Tier(2, shared)));
        assertInstanceOf(CacheLookup.Positive.class, tiers[0].lookup(A).result());
        assertTrue(l1.aliases.isEmpty() && l1.users.isEmpty(), "L1 holds " + l1.aliases);
    }

    @Test
    void anInvalidationBetweenTheCheckAndTheWriteRemovesWhatWasWritten() {
        CacheTiers[] tiers = new CacheTiers[1];
        MemoryTier racing = new MemoryTier() {
            @Override
            public void store(Map<String, Map<String, Object>> u, Map<String, String> a) {
                if (a.containsKey(A) && stores.get() == 0) {
                    tiers[0].invalidate(List.of(A)); // removes nothing yet: the write is still to come
                }
                super.store(u, a);
            }
        };
        tiers[0] = new CacheTiers(List.of(new CacheTiers.Tier(1, racing)));
        tiers[0].store(records(A), keys(A), tiers[0].mark());
        assertFalse(racing.aliases.containsKey(A), "the late write was removed again");
    }

    @Test
    void aLookupMarkedWhileAnInvalidationRunsCannotWriteItsAddressBack() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        MemoryTier slow = new MemoryTier() {
            @Override
            public void invalidate(Collection<String> addresses) {
                inside.countDown();
                try {
                    assertTrue(release.await(10, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                super.invalidate(addresses);
            }
        };
        CacheTiers tiers = new CacheTiers(List.of(new CacheTiers.Tier(1, slow)));
        CompletableFuture<Void> invalidation = CompletableFuture.runAsync(() -> tiers.invalidate(List.of(A)));
        assertTrue(inside.await(10, TimeUnit.SECONDS));
        // the invalidation has not removed the entries yet: what a lookup reads now may be the old answer
        long during = tiers.mark();
        release.countDown();
        invalidation.get(10, TimeUnit.SECONDS);
        tiers.store(records(A), keys(A), during);
        assertTrue(slow.aliases.isEmpty());
        tiers.store(records(A), keys(A), tiers.mark());
        assertEquals(A, slow.aliases.get(A), "once it finished, new lookups write again");
    }
}
