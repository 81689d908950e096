package xspct.api.testing;

import java.util.Collection;
import java.util.Map;

import xspct.api.CacheLookup;
import xspct.api.CacheTier;

/**
 * A cache tier that keeps nothing: every lookup is a {@link CacheLookup#MISS} and writes and invalidations are
 * dropped. For tests that need a tier to exist (its level, a capability it adds) rather than to cache; extend it and
 * override what the test observes, e.g. {@code invalidate} to record the calls.
 *
 * @since API 2.3
 */
public class NoopCacheTier implements CacheTier {

    @Override
    public CacheLookup lookup(String address) {
        return CacheLookup.MISS;
    }

    @Override
    public void store(Map<String, Map<String, Object>> users, Map<String, String> aliases) {
    }

    @Override
    public void storeNegative(Collection<String> addresses) {
    }

    @Override
    public void invalidate(Collection<String> addresses) {
    }

    @Override
    public void invalidateAll() {
    }
}
