package xspct.core;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import xspct.api.SnapshotContent;
import xspct.api.SnapshotPublisher;
import xspct.core.changefeed.ChangeFeeds;

/**
 * When this central builds a snapshot. Without a lease, at every tick ({@code interval} apart). With a lease (a
 * change feed that one instance of a fleet follows for all), only while this instance holds it: at once when it
 * gains it, then every {@code interval}; the others skip their builds and keep serving the versions they have, so
 * that a fleet builds one snapshot per interval rather than one per instance.
 */
final class SnapshotBuilds {
    private static final System.Logger LOG = System.getLogger(SnapshotBuilds.class.getName());
    /** How often a central under a lease looks at it, so that a new leader builds soon after a take-over. */
    static final Duration LEASE_CHECK = Duration.ofSeconds(1);

    private final SnapshotPublisher publisher;
    private final SnapshotContent content;
    private final Optional<ChangeFeeds.Lease> lease;
    private final LongSupplier nanos;
    private final long intervalNanos;
    private final LongAdder skipped = new LongAdder();
    // owned by the thread running run()
    private Boolean leading;
    private long nextNanos;

    /**
     * @param publisher the publisher
     * @param content   what a build writes
     * @param lease     the fleet's lease, when a change feed runs under one
     * @param nanos     the monotonic clock
     */
    SnapshotBuilds(SnapshotPublisher publisher, SnapshotContent content, Optional<ChangeFeeds.Lease> lease,
                   LongSupplier nanos) {
        this.publisher = publisher;
        this.content = content;
        this.lease = lease;
        this.nanos = nanos;
        this.intervalNanos = publisher.interval().toNanos();
    }

    /** {@return how often {@link #run()} is to be called} */
    Duration tick() {
        Duration interval = publisher.interval();
        return lease.isPresent() && interval.compareTo(LEASE_CHECK) > 0 ? LEASE_CHECK : interval;
    }

    /** One tick: builds when this instance is the builder and a build is due. Called from one thread at a time. */
    void run() {
        if (lease.isEmpty()) {
            build();
            return;
        }
        boolean leader = lease.get().leadership().leader();
        long now = nanos.getAsLong();
        if (leading == null || leading != leader) {
            LOG.log(System.Logger.Level.INFO, leader
                    ? "snapshots: this instance holds the change feed lease of query " + lease.get().query()
                    + " and builds the snapshots for the fleet"
                    : "snapshots: another instance holds the change feed lease of query " + lease.get().query()
                    + " (or none does yet): this instance builds no snapshots and keeps serving the versions in "
                    + "its directory");
            leading = leader;
            nextNanos = now; // a new leader builds at once; a new follower counts its first skip
        }
        if (now - nextNanos < 0) {
            return;
        }
        if (!leader) {
            skipped.increment();
            nextNanos = now + intervalNanos;
            return;
        }
        build();
        nextNanos = nanos.getAsLong() + intervalNanos;
    }

    private void build() {
        try {
            publisher.publish(content);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.ERROR, "snapshot build failed: " + e.getMessage()
                    + "; the previous version stays published");
        }
    }

    /**
     * {@return {@code none} (no lease: this instance builds), {@code leader} (it holds the lease and builds) or
     * {@code follower} (another instance builds)}
     */
    String lease() {
        return lease.map(l -> l.leadership().leader() ? "leader" : "follower").orElse("none");
    }

    /** {@return builds this instance left to the lease holder: one per interval while it follows} */
    long skipped() {
        return skipped.sum();
    }
}
