package xspct.core;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import xspct.api.SnapshotContent;
import xspct.api.SnapshotPublisher;
import xspct.api.SnapshotSubscription;
import xspct.api.SnapshotVersion;
import xspct.core.changefeed.ChangeFeeds;

/**
 * The snapshot roles of this instance: publishing (central) and subscribing (edge), each optional. Builds and
 * downloads run on their own thread, timed by the service's scheduler, so a long build never delays prefilter
 * reloads; one build or refresh at a time, and none queued behind a long one. When the change feed runs under a
 * lease, only the holder of the lease builds ({@link SnapshotBuilds}).
 */
public final class Snapshots implements AutoCloseable {
    private final Optional<SnapshotPublisher> publisher;
    private final Optional<SnapshotSubscription> subscription;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "xspct-snapshots");
        t.setDaemon(true);
        return t;
    });
    private volatile SnapshotBuilds builds;

    Snapshots(Optional<SnapshotPublisher> publisher, Optional<SnapshotSubscription> subscription) {
        this.publisher = publisher;
        this.subscription = subscription;
    }

    static Snapshots none() {
        return new Snapshots(Optional.empty(), Optional.empty());
    }

    /**
     * Starts the periodic builds and refreshes; a run still going when the next is due makes the next skip.
     *
     * @param scheduler the service's scheduler
     * @param content   what a build writes
     * @param lease     the fleet's lease when a change feed runs under one: then only its holder builds
     */
    void start(ScheduledExecutorService scheduler, SnapshotContent content, Optional<ChangeFeeds.Lease> lease) {
        publisher.ifPresent(p -> {
            SnapshotBuilds b = new SnapshotBuilds(p, content, lease, System::nanoTime);
            builds = b;
            every(scheduler, b.tick(), b::run);
        });
        subscription.ifPresent(s -> every(scheduler, s.interval(), s::refresh));
    }

    private void every(ScheduledExecutorService scheduler, Duration interval, Runnable work) {
        AtomicBoolean running = new AtomicBoolean();
        scheduler.scheduleWithFixedDelay(() -> {
            if (running.compareAndSet(false, true)) {
                worker.execute(() -> {
                    try {
                        work.run();
                    } finally {
                        running.set(false);
                    }
                });
            }
        }, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * {@return on a central, who builds: {@code none} (no lease, this instance builds), {@code leader}
     * (it holds the change feed lease and builds for the fleet) or {@code follower} (another instance builds);
     * empty on an instance that does not publish}
     */
    public Optional<String> lease() {
        SnapshotBuilds b = builds;
        return b == null ? Optional.empty() : Optional.of(b.lease());
    }

    /** {@return builds this central left to the holder of the lease (one per interval while it follows)} */
    public long skippedBuilds() {
        SnapshotBuilds b = builds;
        return b == null ? 0 : b.skipped();
    }

    /** {@return true when this instance publishes or subscribes} */
    public boolean enabled() {
        return publisher.isPresent() || subscription.isPresent();
    }

    /** {@return the publisher of a central instance} */
    public Optional<SnapshotPublisher> publisher() {
        return publisher;
    }

    /** {@return the subscription of an edge} */
    public Optional<SnapshotSubscription> subscription() {
        return subscription;
    }

    /** {@return the local versions: an edge's (with the serving one marked), else the published ones} */
    public List<SnapshotVersion> versions() {
        return subscription.map(SnapshotSubscription::versions)
                .or(() -> publisher.map(SnapshotPublisher::versions)).orElse(List.of());
    }

    /** {@return the signed manifest of the newest published version} */
    public Optional<byte[]> latestManifest() {
        return publisher.flatMap(SnapshotPublisher::latestManifest);
    }

    /**
     * The file of a published version.
     *
     * @param version the version
     * @return its path, or empty when it is not published (any more)
     */
    public Optional<Path> file(String version) {
        return publisher.flatMap(p -> p.file(version));
    }

    @Override
    public void close() {
        worker.shutdownNow();
        subscription.ifPresent(SnapshotSubscription::close);
        publisher.ifPresent(SnapshotPublisher::close);
    }
}
