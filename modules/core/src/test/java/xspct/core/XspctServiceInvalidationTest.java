package xspct.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import xspct.api.CacheContext;
import xspct.api.CacheTier;
import xspct.api.CacheTierProvider;
import xspct.api.Invalidation;
import xspct.api.InvalidationChannel;
import xspct.api.testing.NoopCacheTier;
import xspct.core.config.ConfigFile;
import xspct.core.config.Settings;
import xspct.core.plugin.PluginRegistry;

/** The wiring of invalidations between the service, its tiers and its listeners. */
// resources held for their effect
@SuppressWarnings("try")
class XspctServiceInvalidationTest {

    static final class FakeTier extends NoopCacheTier implements InvalidationChannel {
        final List<String> calls = new ArrayList<>();
        Consumer<Invalidation> remote;

        @Override
        public void invalidate(Collection<String> addresses) {
            calls.add("invalidate " + addresses);
        }

        @Override
        public void invalidateAll() {
            calls.add("all");
        }

        @Override
        public void onRemoteInvalidation(Consumer<Invalidation> listener) {
            remote = listener;
        }
    }

    static CacheTierProvider provider(int level, FakeTier tier) {
        return new CacheTierProvider() {
            @Override
            public String name() {
                return "fake" + level;
            }

            @Override
            public String configKey() {
                return "fake_" + level;
            }

            @Override
            public int level() {
                return level;
            }

            @Override
            public Optional<CacheTier> create(CacheContext context) {
                return Optional.of(tier);
            }
        };
    }

    private final FakeTier l1 = new FakeTier();
    private final FakeTier l2 = new FakeTier();
    private final List<Invalidation> heard = new ArrayList<>();

    private XspctService service() {
        XspctService s = XspctService.create(Settings.read(ConfigFile.parse("t", "")),
                new PluginRegistry(List.of(), Map.of(), List.of(provider(2, l2), provider(1, l1)), List.of()));
        s.addInvalidationListener(heard::add);
        return s;
    }

    @Test
    void localInvalidationReachesEveryTierAndTheListeners() {
        try (XspctService s = service()) {
            assertEquals(2, s.invalidate(List.of("a@x", "b@x", "a@x")));
            s.invalidateAll();
            assertEquals(List.of("invalidate [a@x, b@x]", "all"), l1.calls);
            assertEquals(List.of("invalidate [a@x, b@x]", "all"), l2.calls);
            assertEquals(List.of(Invalidation.of(List.of("a@x", "b@x")), Invalidation.everything()), heard);
        }
    }

    @Test
    void remoteInvalidationEvictsOnlyTheLowerTiers() {
        try (XspctService s = service()) {
            assertNotNull(l2.remote, "the core registered its listener");
            l2.remote.accept(Invalidation.of(List.of("a@x")));
            l2.remote.accept(Invalidation.everything());
            assertEquals(List.of("invalidate [a@x]", "all"), l1.calls);
            assertEquals(List.of(), l2.calls, "the announcing tier is not invalidated again (no re-publishing)");
            assertEquals(List.of(Invalidation.of(List.of("a@x")), Invalidation.everything()), heard);
            // an L1 announcing something (it never does) would evict nothing below it
            l1.remote.accept(Invalidation.everything());
            assertEquals(2, l1.calls.size());
        }
    }
}
