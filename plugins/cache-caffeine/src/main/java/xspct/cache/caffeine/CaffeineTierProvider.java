package xspct.cache.caffeine;

import java.util.Optional;

import com.github.benmanes.caffeine.cache.Ticker;
import xspct.api.CacheContext;
import xspct.api.CacheTier;
import xspct.api.CacheTierProvider;

/**
 * The L1 tier (SPEC 5.1): three in-process buckets (aliases, users, negative entries), each bounded by
 * {@code max_entries}, entries expiring a fixed time after their last write.
 */
public final class CaffeineTierProvider implements CacheTierProvider {
    /** The configuration section this tier reads. */
    public static final String CONFIG_KEY = "xspct_db_local_cache";

    @Override
    public String name() {
        return "caffeine";
    }

    @Override
    public String configKey() {
        return CONFIG_KEY;
    }

    @Override
    public int level() {
        return 1;
    }

    @Override
    public void check(CacheContext context) {
        LocalCacheSettings.read(context.section());
    }

    @Override
    public Optional<CacheTier> create(CacheContext context) {
        LocalCacheSettings s = LocalCacheSettings.read(context.section());
        if (!s.enabled()) {
            return Optional.empty();
        }
        return Optional.of(new CaffeineTier(s, Ticker.systemTicker(), Runnable::run));
    }
}
