package xspct.core.changefeed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import xspct.api.Backend;
import xspct.api.BackendResult;
import xspct.api.ChangeFeed;
import xspct.api.ChangeFeedContext;
import xspct.api.ChangeFeedException;
import xspct.api.ChangeFeedStatus;
import xspct.api.ChangeSource;
import xspct.api.LookupRequest;
import xspct.core.config.ConfigFile;
import xspct.core.config.YamlNode;
import xspct.api.testing.Await;

class ChangeFeedsTest {
    @TempDir
    Path temp;

    /** Records what the sink hands to the service. */
    static final class RecordingEvictions implements ChangeFeeds.Evictions {
        final List<Collection<String>> evicted = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile int all;
        volatile boolean confirm = true;

        @Override
        public boolean invalidate(Collection<String> addresses) {
            evicted.add(List.copyOf(addresses));
            return confirm;
        }

        @Override
        public boolean invalidateAll() {
            all++;
            return confirm;
        }
    }

    /** A backend whose feed start is scripted. */
    record Source(AtomicReference<ChangeFeedContext> seen, RuntimeException refusal) implements Backend, ChangeSource {
        @Override
        public BackendResult lookup(List<LookupRequest> requests) {
            return BackendResult.of(List.of());
        }

        @Override
        public ChangeFeed startChangeFeed(ChangeFeedContext context) {
            if (refusal != null) {
                throw refusal;
            }
            seen.set(context);
            return new ChangeFeed() {
                @Override
                public ChangeFeedStatus status() {
                    return new ChangeFeedStatus("tailing", "test", "1", null, null, null, null);
                }

                @Override
                public void close() {
                }
            };
        }
    }

    private static YamlNode root(String feed) {
        return ConfigFile.parse("test", "xspct_db_change_feed: " + feed + "\n"
                + "xspct_db_queries:\n  policy: {db_type: x, change_feed: {table: policy}}\n");
    }

    private static ChangeFeeds.Candidate candidate(YamlNode root, Backend b) {
        return new ChangeFeeds.Candidate("policy", root.get("xspct_db_queries").get("policy"), b);
    }

    @Test
    void settingsHaveTheDocumentedDefaults() {
        ChangeFeedSettings s = ChangeFeedSettings.read(root("{enabled: true}"));
        assertTrue(s.enabled());
        assertEquals(Duration.ofMillis(250), s.pollInterval());
        assertEquals(Duration.ofDays(1), s.retention());
        assertEquals(Duration.ofSeconds(10), s.leaseTtl());
        assertFalse(ChangeFeedSettings.read(ConfigFile.parse("test", "a: 1\n")).enabled());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{enabled: maybe}|xspct_db_change_feed.enabled",
        "{poll_interval: 0}|xspct_db_change_feed.poll_interval",
        "{retention: 10}|xspct_db_change_feed.retention",
        "{lease_ttl: -1}|xspct_db_change_feed.lease_ttl",
        "{lease_tll: 3}|xspct_db_change_feed.lease_tll",
        "[1, 2]|xspct_db_change_feed"})
    void badSettingsAreReportedByKeyPath(String section, String key) {
        YamlNode root = root(section);
        ChangeFeedSettings.read(root);
        String all = String.join("\n", ConfigFile.problemsOf(root).list());
        assertTrue(all.contains(key + ":"), all);
    }

    @Test
    void theSinkEvictsThroughTheServiceAndCounts() throws InterruptedException {
        YamlNode root = root("{enabled: true}");
        AtomicReference<ChangeFeedContext> seen = new AtomicReference<>();
        RecordingEvictions ev = new RecordingEvictions();
        ChangeFeeds feeds = ChangeFeeds.start(ChangeFeedSettings.read(root),
                List.of(candidate(root, new Source(seen, null))), false, null, ev);
        ChangeFeedContext ctx = seen.get();
        assertFalse(ctx.sharedCache());
        assertTrue(ctx.sink().evict(List.of("a@ex.test"), 2, System.nanoTime() - 1_000_000));
        assertTrue(ctx.sink().evict(List.of(), 1, System.nanoTime()));
        assertTrue(ctx.sink().flush("test"));
        assertEquals(List.of("a@ex.test"), ev.evicted.get(0));
        assertFalse(ev.evicted.contains(List.of()), "nothing to evict: no call");
        assertEquals(1, ev.all);
        ChangeFeeds.Source s = feeds.sources().get(0);
        assertEquals(3, s.events());
        assertEquals(1, s.flushes());
        assertEquals("tailing", s.status().state());
        List<Long> lags = new ArrayList<>();
        feeds.addLagListener(lags::add);
        ctx.sink().evict(List.of("b@ex.test"), 1, System.nanoTime() - 5_000_000);
        assertTrue(lags.get(0) >= 5_000_000, "lag from the change to the published eviction: " + lags);

        Await.until("the eviction is repeated once after a delay",
                () -> ev.evicted.stream().filter(List.of("a@ex.test")::equals).count() >= 2);
        ev.confirm = false;
        assertFalse(ctx.sink().evict(List.of("c@ex.test"), 1, System.nanoTime()), "the shared tier refused it");
        assertFalse(ctx.sink().flush("test"));
        assertEquals(4, s.events(), "unconfirmed evictions are not counted as applied");
        assertEquals(1, s.flushes());
        assertEquals(2, s.unconfirmed());
        feeds.close();
    }

    @Test
    void withoutASharedStorePositionsAreKeptInFilesUnderStateDir() {
        YamlNode root = root("{enabled: true, state_dir: '" + temp + "'}");
        AtomicReference<ChangeFeedContext> seen = new AtomicReference<>();
        ChangeFeeds.start(ChangeFeedSettings.read(root), List.of(candidate(root, new Source(seen, null))), false,
                null, new RecordingEvictions());
        var store = seen.get().stateStore();
        assertTrue(store.load("cookie/users").isEmpty());
        assertTrue(store.save("cookie/users", "c1".getBytes(StandardCharsets.UTF_8)));
        assertTrue(store.save("cookie/users", "c2".getBytes(StandardCharsets.UTF_8)));
        assertEquals("c2", new String(store.load("cookie/users").orElseThrow(), StandardCharsets.UTF_8));
        assertTrue(temp.resolve("cookie_users").toFile().isFile(), "one safe file name per position");
    }

    @Test
    void aRefusedFeedIsAProblemAtTheQuerysChangeFeedKey() {
        YamlNode root = root("{enabled: true}");
        Source refusing = new Source(new AtomicReference<>(),
                new ChangeFeedException("table", "table 'policy' does not exist"));
        ChangeFeeds feeds = ChangeFeeds.start(ChangeFeedSettings.read(root), List.of(candidate(root, refusing)),
                false, null, new RecordingEvictions());
        assertTrue(feeds.sources().isEmpty());
        assertEquals(List.of("xspct_db_queries.policy.change_feed.table: table 'policy' does not exist"),
                ConfigFile.problemsOf(root).list());
    }

    @Test
    void aDisabledFeedStartsNothingAndABackendWithoutTheRoleIsRefused() {
        YamlNode off = root("{enabled: false}");
        AtomicReference<ChangeFeedContext> seen = new AtomicReference<>();
        ChangeFeeds.start(ChangeFeedSettings.read(off), List.of(candidate(off, new Source(seen, null))), false, null,
                new RecordingEvictions());
        assertNull(seen.get());

        YamlNode on = root("{enabled: true}");
        Backend plain = requests -> BackendResult.of(List.of());
        ChangeFeeds.start(ChangeFeedSettings.read(on), List.of(candidate(on, plain)), false, null,
                new RecordingEvictions());
        assertEquals(List.of("xspct_db_queries.policy.change_feed: this query's db_type cannot report changes"),
                ConfigFile.problemsOf(on).list());
    }
}
