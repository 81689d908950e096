package xspct.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import xspct.api.SnapshotContent;
import xspct.api.SnapshotPublisher;
import xspct.api.SnapshotVersion;
import xspct.core.changefeed.ChangeFeeds;

/** When a central builds snapshots: at every tick without a lease, only as the lease holder with one. */
class SnapshotBuildsTest {
    private static final Duration INTERVAL = Duration.ofSeconds(300);
    private static final SnapshotContent CONTENT = (exclude, sink) -> new SnapshotContent.Description("f", "all");

    /** Counts builds; a build is instantaneous on the test clock. */
    static final class CountingPublisher implements SnapshotPublisher {
        final AtomicInteger builds = new AtomicInteger();
        volatile boolean fail;

        @Override
        public Duration interval() {
            return INTERVAL;
        }

        @Override
        public SnapshotVersion publish(SnapshotContent content) throws Exception {
            builds.incrementAndGet();
            if (fail) {
                throw new IllegalStateException("backend down");
            }
            return null;
        }

        @Override
        public List<SnapshotVersion> versions() {
            return List.of();
        }

        @Override
        public Optional<byte[]> latestManifest() {
            return Optional.empty();
        }

        @Override
        public Optional<byte[]> manifest(String version) {
            return Optional.empty();
        }

        @Override
        public Optional<Path> file(String version) {
            return Optional.empty();
        }
    }

    /** The INFO lines of the builds. */
    static final class CapturedLog extends Handler {
        private final Logger logger = Logger.getLogger(SnapshotBuilds.class.getName());
        final List<String> info = new ArrayList<>();

        CapturedLog() {
            logger.addHandler(this);
        }

        @Override
        public synchronized void publish(LogRecord r) {
            if (r.getLevel().equals(Level.INFO)) {
                info.add(String.valueOf(r.getMessage()));
            }
        }

        synchronized List<String> info() {
            return List.copyOf(info);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            logger.removeHandler(this);
        }
    }

    private final CountingPublisher publisher = new CountingPublisher();
    private final AtomicBoolean leader = new AtomicBoolean();
    private final AtomicLong nanos = new AtomicLong(1_000);
    private final CapturedLog log = new CapturedLog();

    @AfterEach
    void closeLog() {
        log.close();
    }

    private SnapshotBuilds builds(boolean withLease) {
        Optional<ChangeFeeds.Lease> lease = withLease
                ? Optional.of(new ChangeFeeds.Lease("policy", leader::get)) : Optional.empty();
        return new SnapshotBuilds(publisher, CONTENT, lease, nanos::get);
    }

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Test
    void withoutALeaseEveryTickBuilds() {
        SnapshotBuilds b = builds(false);
        assertEquals(INTERVAL, b.tick(), "the ticks are the interval");
        b.run();
        b.run();
        publisher.fail = true;
        b.run();
        publisher.fail = false;
        b.run();
        assertEquals(4, publisher.builds.get(), "a failed build does not stop the next");
        assertEquals("none", b.lease());
        assertEquals(0, b.skipped());
        assertEquals(List.of(), log.info(), "nothing to say without a lease");
    }

    @Test
    void underALeaseOnlyTheHolderBuildsAndANewHolderBuildsAtOnce() {
        SnapshotBuilds b = builds(true);
        assertEquals(SnapshotBuilds.LEASE_CHECK, b.tick(), "the lease is looked at often, builds stay apart");

        b.run();
        advance(Duration.ofSeconds(1));
        b.run();
        assertEquals(0, publisher.builds.get(), "a follower builds nothing");
        assertEquals(1, b.skipped(), "one build skipped per interval");
        assertEquals("follower", b.lease());
        advance(INTERVAL);
        b.run();
        assertEquals(2, b.skipped());

        leader.set(true); // the holder went away and this instance took the lease over
        assertEquals("leader", b.lease());
        b.run();
        assertEquals(1, publisher.builds.get(), "a new holder builds at once");
        advance(Duration.ofSeconds(1));
        b.run();
        assertEquals(1, publisher.builds.get(), "and then every interval");
        advance(INTERVAL);
        b.run();
        assertEquals(2, publisher.builds.get());

        leader.set(false);
        b.run();
        advance(INTERVAL.dividedBy(2));
        b.run();
        assertEquals(2, publisher.builds.get(), "a former holder stops building");
        assertEquals(3, b.skipped());

        List<String> info = log.info();
        assertEquals(3, info.size(), "one line per change of role: " + info);
        assertEquals(List.of(false, true, false), info.stream().map(l -> l.contains("this instance holds")).toList(),
                info.toString());
        assertEquals(true, info.getFirst().contains("query policy") && info.getFirst().contains("builds no "
                + "snapshots"), info.getFirst());
    }
}
