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

/**
 * The snapshot roles of this instance: publishing (central) and subscribing (edge), each optional. Builds and
 * downloads run on their own thread, timed by the service's scheduler, so a long build never delays prefilter
 * reloads; one build or refresh at a time, and none queued behind a long one.
 */
public final class Snapshots implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Snapshots.class.getName());

    private final Optional<SnapshotPublisher> publisher;
    private final Optional<SnapshotSubscription> subscription;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "xspct-snapshots");
        t.setDaemon(true);
        return t;
    });

    Snapshots(Optional<SnapshotPublisher> publisher, Optional<SnapshotSubscription> subscription) {
        this.publisher = publisher;
        this.subscription = subscription;
    }

    static Snapshots none() {
        return new Snapshots(Optional.empty(), Optional.empty());
    }

    /** Starts the periodic builds and refreshes; a run still going when the next is due makes the next skip. */
    void start(ScheduledExecutorService scheduler, SnapshotContent content) {
        publisher.ifPresent(p -> every(scheduler, p.interval(), () -> publish(p, content)));
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

    private static void publish(SnapshotPublisher p, SnapshotContent content) {
        try {
            p.publish(content);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.ERROR, "snapshot build failed: " + e.getMessage()
                    + "; the previous version stays published");
        }
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
