package xspct.core.changefeed;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;

import xspct.api.Backend;
import xspct.api.ChangeFeed;
import xspct.api.ChangeFeedContext;
import xspct.api.ChangeFeedException;
import xspct.api.ChangeFeedStateStore;
import xspct.api.ChangeFeedStatus;
import xspct.api.ChangeSink;
import xspct.api.ChangeSource;
import xspct.api.ConfigNode;
import xspct.api.Leadership;
import xspct.core.stats.ChangeFeedStatistics;

/**
 * The change feeds of the backends that can report changes ({@link ChangeSource}): started once the service is
 * assembled, each with a sink that evicts through the service's own invalidation, counted for the metrics and the
 * status endpoint.
 */
public final class ChangeFeeds implements ChangeFeedStatistics, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ChangeFeeds.class.getName());

    /** How the service evicts: the same two operations as {@code POST /v1/cache/invalidate}. */
    public interface Evictions {
        /**
         * Evicts addresses from every tier, the response cache and (through a shared tier) the fleet.
         *
         * @param addresses the addresses
         * @return false when the shared tier could not confirm it
         */
        boolean invalidate(Collection<String> addresses);

        /**
         * Evicts everything, everywhere.
         *
         * @return false when the shared tier could not confirm it
         */
        boolean invalidateAll();
    }

    /**
     * A feed that runs under a lease shared by the fleet.
     *
     * @param query      the feed's query
     * @param leadership whether this instance holds the lease
     */
    public record Lease(String query, Leadership leadership) {
    }

    /** A backend that may report changes, with its query's name and configuration section. */
    public record Candidate(String query, ConfigNode section, Backend backend) {
    }

    /**
     * Every eviction is repeated once after this delay. A lookup that read the old answer (from the shared tier or
     * the backend) just before the eviction may store it after the eviction; the repetition removes it again.
     */
    static final Duration REPEAT_DELAY = Duration.ofSeconds(1);

    private final ChangeFeedSettings settings;
    private final List<Source> sources = new ArrayList<>();
    private final List<LongConsumer> lagListeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService repeats;

    private ChangeFeeds(ChangeFeedSettings settings) {
        this.settings = settings;
        this.repeats = settings.enabled() ? Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "xspct-change-feed-repeat");
            t.setDaemon(true);
            return t;
        }) : null;
    }

    /**
     * Starts the feed of every candidate that is a {@link ChangeSource} and configures one. A feed refusing its
     * configuration is recorded as a problem against the query's {@code change_feed} key; the caller throws them
     * and closes what was started.
     *
     * @param settings    {@code xspct_db_change_feed}
     * @param candidates  the configured queries with backends
     * @param sharedCache true when a shared tier announces evictions to the fleet
     * @param sharedState the shared store for feed positions, or null to keep them in files under
     *                    {@code state_dir}
     * @param evictions   the service's invalidation
     * @return the running feeds (none when disabled)
     */
    public static ChangeFeeds start(ChangeFeedSettings settings, List<Candidate> candidates, boolean sharedCache,
                                    ChangeFeedStateStore sharedState, Evictions evictions) {
        ChangeFeeds feeds = new ChangeFeeds(settings);
        if (!settings.enabled()) {
            for (Candidate c : candidates) {
                if (c.section().get("change_feed").exists()) {
                    LOG.log(System.Logger.Level.INFO, "query " + c.query() + " configures change_feed, but "
                            + ChangeFeedSettings.KEY + ".enabled is not true: cached answers follow changes only "
                            + "when their TTL runs out");
                    break;
                }
            }
            return feeds;
        }
        ChangeFeedStateStore state = sharedState != null ? sharedState : new FileStateStore(settings.stateDir());
        String instance = instanceId();
        for (Candidate c : candidates) {
            if (!(c.backend() instanceof ChangeSource cs)) {
                if (c.section().get("change_feed").exists()) {
                    c.section().get("change_feed").problem("this query's db_type cannot report changes");
                }
                continue;
            }
            Source source = new Source(c.query(), evictions, feeds.lagListeners, feeds.repeats);
            ChangeFeedContext ctx = new ChangeFeedContext(source, sharedCache, settings.pollInterval(),
                    settings.retention(), settings.leaseTtl(), instance, state);
            try {
                ChangeFeed feed = cs.startChangeFeed(ctx);
                if (feed != null) {
                    source.feed = feed;
                    feeds.sources.add(source);
                }
            } catch (ChangeFeedException e) {
                ConfigNode at = c.section().get("change_feed");
                (e.key().isEmpty() ? at : at.get(e.key())).problem(e.getMessage());
            }
        }
        return feeds;
    }

    /** {@return a feed-less instance, for a service without feeds} */
    public static ChangeFeeds none() {
        return new ChangeFeeds(ChangeFeedSettings.disabled());
    }

    /** {@return the settings} */
    public ChangeFeedSettings settings() {
        return settings;
    }

    /** {@return the running feeds in configuration order} */
    public List<Source> sources() {
        return List.copyOf(sources);
    }

    /**
     * {@return the lease of the first feed (in configuration order) that runs under one; every instance of a fleet
     * with the same configuration names the same, so exactly one of them holds it}
     */
    public Optional<Lease> lease() {
        return sources.stream().filter(s -> s.feed instanceof Leadership).findFirst()
                .map(s -> new Lease(s.query, (Leadership) s.feed));
    }

    @Override
    public boolean enabled() {
        return settings.enabled();
    }

    @Override
    public List<Feed> feeds() {
        return List.copyOf(sources);
    }

    /**
     * Registers a listener for the eviction lag of each applied batch: from the oldest change of the batch to the
     * eviction being published, in nanoseconds.
     *
     * @param listener the listener; called on a feed's thread, must not block
     */
    @Override
    public void addLagListener(LongConsumer listener) {
        lagListeners.add(listener);
    }

    @Override
    public void close() {
        if (repeats != null) {
            repeats.shutdownNow();
        }
        for (Source s : sources) {
            try {
                s.feed.close();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "closing the change feed of query " + s.query + " failed: "
                        + e);
            }
        }
    }

    private static String instanceId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "unknown-host";
        }
        long pid = ManagementFactory.getRuntimeMXBean().getPid();
        return host + "/" + pid + "/" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** One query's feed and its sink: counts what it applies and evicts through the service. */
    public static final class Source implements ChangeSink, ChangeFeedStatistics.Feed {
        private final String query;
        private final Evictions evictions;
        private final List<LongConsumer> lagListeners;
        private final ScheduledExecutorService repeats;
        private final LongAdder events = new LongAdder();
        private final LongAdder flushes = new LongAdder();
        private final LongAdder unconfirmed = new LongAdder();
        private final AtomicLong lastLagNanos = new AtomicLong(-1);
        private volatile Instant lastEvictionAt;
        private volatile ChangeFeed feed;

        Source(String query, Evictions evictions, List<LongConsumer> lagListeners,
               ScheduledExecutorService repeats) {
            this.query = query;
            this.evictions = evictions;
            this.lagListeners = lagListeners;
            this.repeats = repeats;
        }

        @Override
        public boolean evict(Collection<String> addresses, int events, long oldestChangeNanos) {
            if (!addresses.isEmpty() && !evictions.invalidate(addresses)) {
                unconfirmed.increment();
                return false;
            }
            if (!addresses.isEmpty() && repeats != null) {
                List<String> again = List.copyOf(addresses);
                try {
                    repeats.schedule(() -> evictions.invalidate(again), REPEAT_DELAY.toMillis(),
                            TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException e) {
                    // closing
                }
            }
            long lag = Math.max(0, System.nanoTime() - oldestChangeNanos);
            this.events.add(events);
            lastLagNanos.set(lag);
            lastEvictionAt = Instant.now();
            for (LongConsumer l : lagListeners) {
                l.accept(lag);
            }
            return true;
        }

        @Override
        public boolean flush(String reason) {
            // the feed logs why when it matters (a lost position); a key-less table flushes on every change
            LOG.log(System.Logger.Level.DEBUG, "change feed of query " + query + ": " + reason
                    + "; every cached entry is evicted");
            if (!evictions.invalidateAll()) {
                unconfirmed.increment();
                return false;
            }
            flushes.increment();
            return true;
        }

        /** {@return evictions the shared tier could not confirm (the feed retried them)} */
        public long unconfirmed() {
            return unconfirmed.sum();
        }

        /** {@return the query name} */
        @Override
        public String query() {
            return query;
        }

        /** {@return the feed's own status} */
        @Override
        public ChangeFeedStatus status() {
            return feed.status();
        }

        /** {@return change events applied since start} */
        @Override
        public long events() {
            return events.sum();
        }

        /** {@return full flushes since start} */
        @Override
        public long flushes() {
            return flushes.sum();
        }

        /** {@return the lag of the last applied batch in nanoseconds, or -1 before the first} */
        @Override
        public long lastLagNanos() {
            return lastLagNanos.get();
        }

        /** {@return when the last batch was evicted, or null} */
        public Instant lastEvictionAt() {
            return lastEvictionAt;
        }
    }
}
