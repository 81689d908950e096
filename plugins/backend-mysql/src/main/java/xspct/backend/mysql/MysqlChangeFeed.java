package xspct.backend.mysql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.api.FlywayException;

import xspct.api.ChangeFeed;
import xspct.api.ChangeFeedContext;
import xspct.api.ChangeFeedException;
import xspct.api.ChangeFeedStatus;

/**
 * The change feed of one {@code mysql} query: installs the change log and the triggers (Flyway), then tails the
 * log every {@code poll_interval} and evicts the addresses it names.
 *
 * <p>With a shared cache the feed runs under the {@link LeaderLease}: only the holder tails, publishes the
 * evictions through the shared tier and persists the cursor after them (fenced by the lease); the others try to
 * take the lease over. A new holder replays from the persisted cursor, or evicts everything when the log was pruned
 * past it. The holder's writes (heartbeat, cursor) run on a thread of their own, so that a database slow to commit
 * (a stalled log flush) does not hold up the reads of the log and the evictions. Without a shared cache every
 * instance tails the log itself from its end at start (its caches start empty). The feed has its own small pool;
 * when the database goes away it retries with back-off while lookups go on.
 */
final class MysqlChangeFeed implements ChangeFeed {
    private static final System.Logger LOG = System.getLogger(MysqlChangeFeed.class.getName());
    /**
     * Flyway narrates every run at INFO (environment, validation, "up to date"); the feed logs one line when it
     * applied something, so Flyway keeps its warnings and errors only. Held here so the level is not collected.
     */
    private static final java.util.logging.Logger FLYWAY_LOG =
            quiet(java.util.logging.Logger.getLogger("org.flywaydb"));
    private static final long MIN_BACKOFF_NANOS = 500_000_000L;
    private static final long MAX_BACKOFF_NANOS = 30_000_000_000L;
    private static final long MAX_UNCONFIRMED_BACKOFF_NANOS = 2_000_000_000L;
    private static final long PRUNE_EVERY_NANOS = 60_000_000_000L;
    /** A follower tries to take the lease at least this often (it also learns the holder for the status). */
    private static final long MAX_ACQUIRE_INTERVAL_NANOS = 1_000_000_000L;
    /** Past the moment a heartbeat turns stale, so that the database agrees it is. */
    private static final long STALE_MARGIN_NANOS = 5_000_000L;
    /** MySQL errors that mean a missing privilege. */
    private static final List<Integer> PRIVILEGE_ERRORS = List.of(1044, 1142, 1143, 1227, 1370);
    /** "You do not have the SUPER privilege and binary logging is enabled". */
    private static final int BINLOG_TRIGGER_ERROR = 1419;

    private final MysqlSettings settings;
    private final WatchedTable table;
    private final ChangeFeedContext context;
    private final HikariDataSource pool;
    private final LeaderLease lease;
    private final ScheduledExecutorService loop;
    /** Renews the lease and persists the cursor while this instance leads. */
    private final ScheduledExecutorService keeper;
    private final long ttlNanos;
    private final String source;

    // owned by the loop thread (the first step runs before the loop starts)
    private boolean installed;
    private ChangeLogTailer tailer;
    /** A flush owed before the cursor may move (the log was pruned past it). */
    private String pendingFlush;
    private long nextAcquireNanos;
    private long nextPruneNanos;
    private long retryAtNanos;
    private long backoffNanos = MIN_BACKOFF_NANOS;

    // shared by the loop thread and the lease thread
    /** True while this instance holds the lease; set and cleared by the loop thread only. */
    private volatile boolean leader;
    /** Counts gains and losses of the lease, so that a renewal started under an earlier one is not applied. */
    private volatile long term;
    /** The cursor the loop thread published (every change below it is evicted everywhere), to be persisted. */
    private final AtomicLong published = new AtomicLong(-1);
    /** The cursor last persisted in this term. */
    private volatile long persisted = -1;
    /** When the lease was last renewed ({@link System#nanoTime()}). */
    private volatile long lastRenewNanos;
    /** Set by the lease thread when a renewal found the lease taken over. */
    private volatile String lostBecause;
    /** When the loop thread last read the log ({@link System#nanoTime()}); the lease thread renews only after it. */
    private volatile long lastReachedNanos;
    // owned by the lease thread
    private long nextRenewNanos;

    // read by status()
    private volatile String state = "starting";
    private volatile String position;
    private volatile Instant positionSavedAt;
    private volatile Instant lastEventAt;
    private volatile String holder;
    private volatile String lastError;
    /** Set when the feed is closing: it leads no more. */
    private volatile boolean closing;

    private MysqlChangeFeed(MysqlSettings settings, WatchedTable table, ChangeFeedContext context, DataSource driver) {
        this.settings = settings;
        this.table = table;
        this.context = context;
        this.ttlNanos = context.leaseTtl().toNanos();
        this.source = "mysql " + settings.describe() + " table " + table.table();
        HikariConfig hc = new HikariConfig();
        hc.setDataSource(driver);
        hc.setPoolName("xspct-mysql-feed-" + settings.queryName());
        hc.setMinimumIdle(1);
        // Flyway holds its lock on one connection while migrating on another; the lease thread has one more
        hc.setMaximumPoolSize(4);
        hc.setConnectionTimeout(Math.max(250, settings.connectTimeoutMillis()));
        hc.setValidationTimeout(Math.max(250, settings.connectTimeoutMillis() / 2));
        hc.setInitializationFailTimeout(-1);
        hc.setAutoCommit(true);
        this.pool = new HikariDataSource(hc);
        this.lease = context.sharedCache() ? new LeaderLease(settings.queryName(), context.instanceId(),
                context.leaseTtl()) : null;
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "xspct-mysql-feed-" + settings.queryName());
            t.setDaemon(true);
            return t;
        });
        this.keeper = lease == null ? null : Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "xspct-mysql-feed-lease-" + settings.queryName());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts the feed: installs and catches up once on the calling thread, then polls on its own.
     *
     * @throws ChangeFeedException when the table, a column or a privilege is missing
     */
    static MysqlChangeFeed start(MysqlSettings settings, WatchedTable table, ChangeFeedContext context,
                                 DataSource driver) {
        MysqlChangeFeed feed = new MysqlChangeFeed(settings, table, context, driver);
        try {
            feed.step(true);
        } catch (ChangeFeedException e) {
            feed.close();
            throw e;
        }
        long poll = context.pollInterval().toNanos();
        // at a fixed rate: the time a read takes does not stretch the interval between reads
        feed.loop.scheduleAtFixedRate(() -> feed.step(false), poll, poll, TimeUnit.NANOSECONDS);
        if (feed.keeper != null) {
            long tick = feed.keeperTickNanos();
            feed.keeper.scheduleWithFixedDelay(feed::keepLease, tick, tick, TimeUnit.NANOSECONDS);
        }
        return feed;
    }

    /** One round: reconnect and install if needed, keep or take the lease, tail, prune. */
    private void step(boolean starting) {
        long now = System.nanoTime();
        if (now < retryAtNanos) {
            return;
        }
        try (Connection c = pool.getConnection()) {
            if (!installed) {
                install(c);
            }
            if (lease != null && !holdLease(c, now)) {
                healthy();
                return;
            }
            if (tailer == null) {
                tailer = new ChangeLogTailer(table.table(), ChangeLogTailer.end(c));
                state = "tailing";
            }
            if (!drain(c)) {
                unconfirmed(now);
                return;
            }
            lastReachedNanos = System.nanoTime();
            if (now >= nextPruneNanos) {
                nextPruneNanos = now + PRUNE_EVERY_NANOS;
                long deleted = ChangeLogTailer.prune(c, context.retention().toSeconds());
                if (deleted > 0) {
                    LOG.log(System.Logger.Level.DEBUG, "query " + settings.queryName() + ": pruned " + deleted
                            + " change log rows older than the retention");
                }
            }
            healthy();
        } catch (SQLException e) {
            disconnected(e.getMessage(), now);
        } catch (ChangeFeedException e) {
            if (starting) {
                throw e;
            }
            LOG.log(System.Logger.Level.ERROR, "query " + settings.queryName() + ": change feed cannot start: "
                    + "change_feed" + (e.key().isEmpty() ? "" : "." + e.key()) + ": " + e.getMessage()
                    + "; retrying in " + MAX_BACKOFF_NANOS / 1_000_000_000L + " s");
            backoffNanos = MAX_BACKOFF_NANOS;
            disconnected(e.getMessage(), now);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "query " + settings.queryName() + ": change feed step failed: "
                    + e);
            disconnected(e.toString(), now);
        }
    }

    /** Checks the table, then applies the migrations. */
    private void install(Connection c) throws SQLException {
        String product = c.getMetaData().getDatabaseProductVersion().toLowerCase(Locale.ROOT);
        boolean mariadb = product.contains("mariadb")
                || c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT).contains("mariadb");
        checkColumns(c);
        try {
            int applied = ChangeLogMigrations.migrate(pool, table, mariadb);
            if (applied > 0) {
                LOG.log(System.Logger.Level.INFO, "query " + settings.queryName() + ": change feed installed "
                        + applied + " migration(s) in " + settings.describe() + " (change log and triggers on "
                        + table.table() + ")");
            }
        } catch (FlywayException e) {
            throw translate(e);
        }
        if (lease != null) {
            lease.ensureRow(c);
        }
        installed = true;
    }

    private void checkColumns(Connection c) throws SQLException {
        List<String> columns = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT COLUMN_NAME FROM information_schema.COLUMNS "
                + "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?")) {
            ps.setString(1, table.table());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(rs.getString(1).toLowerCase(Locale.ROOT));
                }
            }
        }
        if (columns.isEmpty()) {
            throw new ChangeFeedException("table", "table '" + table.table() + "' does not exist in database '"
                    + settings.database() + "' (or user '" + settings.user() + "' has no privilege on it)");
        }
        for (String k : table.keyColumns()) {
            if (!columns.contains(k.toLowerCase(Locale.ROOT))) {
                throw new ChangeFeedException("key_columns", "table '" + table.table() + "' has no column '" + k
                        + "'");
            }
        }
    }

    /** A failed migration: a lost connection is retried, a missing privilege or anything else stops the start. */
    private SQLException translate(FlywayException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                if (isConnectionFailure(s)) {
                    return s;
                }
                if (s.getErrorCode() == BINLOG_TRIGGER_ERROR) {
                    throw new ChangeFeedException("", "creating triggers needs the SUPER privilege while binary "
                            + "logging is on, or log_bin_trust_function_creators = 1 on the server ("
                            + s.getMessage() + ")");
                }
                if (PRIVILEGE_ERRORS.contains(s.getErrorCode())) {
                    throw new ChangeFeedException("", "user '" + settings.user() + "' lacks a privilege the change "
                            + "feed needs: " + s.getMessage() + " (grant CREATE, TRIGGER, SELECT, INSERT, UPDATE, "
                            + "DELETE on database '" + settings.database() + "'; see docs/change-feed.md)");
                }
            }
        }
        String message = e.getMessage() == null ? e.toString() : e.getMessage().strip().lines().findFirst()
                .orElse(e.toString());
        throw new ChangeFeedException("", "installing the change log in database '" + settings.database()
                + "' failed: " + message);
    }

    /** {@return true when this instance holds the lease (now or after taking it)} */
    private boolean holdLease(Connection c, long now) throws SQLException {
        if (leader) {
            String lost = lostBecause;
            if (lost != null) {
                lose(lost);
            } else if (now - lastRenewNanos > ttlNanos * 2 / 3) {
                // stop before the lease can be taken over: the others wait for a heartbeat older than the TTL
                lose("its heartbeat could not be renewed in time");
            }
        }
        if (!leader && now >= nextAcquireNanos) {
            long retry = Math.min(ttlNanos / 3, MAX_ACQUIRE_INTERVAL_NANOS);
            nextAcquireNanos = now + retry;
            // the heartbeat counts from when its statement is sent, not from the start of the step: a first step
            // that spent longer than the lease installing the change log would otherwise drop the lease at once
            long sent = System.nanoTime();
            if (lease.tryAcquire(c)) {
                gain(c, sent);
            } else {
                LeaderLease.Holder h = lease.holder(c);
                holder = h == null ? null : h.toString();
                state = "follower";
                if (h != null) {
                    // try again right when the holder's heartbeat turns stale, so that a dead holder is replaced
                    // within lease_ttl of its last heartbeat rather than up to one retry interval later
                    long staleInNanos = (lease.ttlMicros() - h.heartbeatAgeMicros()) * 1000 + STALE_MARGIN_NANOS;
                    nextAcquireNanos = now + Math.max(0, Math.min(retry, staleInNanos));
                }
            }
        }
        return leader;
    }

    private void gain(Connection c, long now) throws SQLException {
        LeaderLease.Position p = lease.position(c);
        long cursor = p.cursor();
        term++;
        lostBecause = null;
        lastRenewNanos = now;
        lastReachedNanos = now;
        persisted = cursor;
        published.set(cursor);
        position = Long.toString(cursor);
        leader = true;
        holder = "this instance (" + context.instanceId() + ")";
        if (p.prunedThrough() > cursor) {
            LOG.log(System.Logger.Level.WARNING, "query " + settings.queryName() + ": the change log was pruned "
                    + "past the persisted cursor (" + cursor + " < " + p.prunedThrough() + "): changes were lost "
                    + "while no instance followed them; evicting every cached entry");
            // applied by drain before the cursor moves: a flush the shared cache does not confirm is retried
            pendingFlush = "the change log was pruned past the cursor";
            cursor = p.prunedThrough();
        }
        tailer = new ChangeLogTailer(table.table(), cursor);
        state = "leader";
        LOG.log(System.Logger.Level.INFO, "query " + settings.queryName() + ": this instance holds the change feed "
                + "lease now and follows " + table.table() + " from log id " + cursor);
    }

    /** How often the lease thread looks whether a heartbeat is due or the cursor moved. */
    private long keeperTickNanos() {
        return Math.max(10_000_000L, Math.min(ttlNanos / 6, 500_000_000L));
    }

    /**
     * The lease thread: renews the heartbeat every third of {@code lease_ttl} and persists the cursor the loop
     * thread published, fenced by the lease, at most every {@link #keeperTickNanos()}. A renewal that finds the
     * lease taken over tells the loop thread, which stops tailing; one that fails or hangs lets the heartbeat age,
     * and the loop thread stops at two thirds of the TTL. While the loop thread cannot read the log, the heartbeat
     * is not renewed either.
     */
    private void keepLease() {
        if (!leader) {
            return;
        }
        long myTerm = term;
        long now = System.nanoTime();
        long cursor = published.get();
        boolean moved = cursor >= 0 && cursor != persisted;
        if (!moved && now < nextRenewNanos) {
            return;
        }
        if (now - lastReachedNanos > 2 * context.pollInterval().toNanos() + ttlNanos / 3) {
            // the loop thread cannot read the log (the database went away for it): let the lease lapse, so that
            // another instance takes over instead of a leader that does not follow the changes
            return;
        }
        try (Connection c = pool.getConnection()) {
            // the heartbeat counts from when its statement is sent, not from when a connection was asked for
            long sent = System.nanoTime();
            boolean renewed = lease.renew(c, moved ? cursor : -1);
            if (myTerm != term || !leader) {
                return; // the loop thread gave the lease up meanwhile
            }
            if (!renewed) {
                lostBecause = "another instance took it over";
                return;
            }
            lastRenewNanos = sent;
            nextRenewNanos = sent + ttlNanos / 3;
            if (moved) {
                persisted = cursor;
                position = Long.toString(cursor);
                positionSavedAt = Instant.now();
            }
        } catch (SQLException | RuntimeException e) {
            // the heartbeat ages; the loop thread stops tailing before anyone may take over
            LOG.log(System.Logger.Level.DEBUG, "query " + settings.queryName() + ": renewing the change feed lease "
                    + "failed: " + e);
        }
    }

    private void lose(String why) {
        term++;
        leader = false;
        tailer = null;
        state = "follower";
        holder = null;
        nextAcquireNanos = 0;
        LOG.log(System.Logger.Level.INFO, "query " + settings.queryName() + ": this instance lost the change feed "
                + "lease (" + why + ") and stopped following " + table.table());
    }

    /**
     * Applies batches until the log is read to its end; after each eviction the cursor is handed to the lease
     * thread, which persists it.
     *
     * @return false when the shared cache did not confirm an eviction: the batch is read again later
     */
    private boolean drain(Connection c) throws SQLException {
        if (pendingFlush != null) {
            if (!context.sink().flush(pendingFlush)) {
                return false;
            }
            pendingFlush = null;
        }
        ChangeLogTailer.Batch b;
        do {
            long from = tailer.safeCursor();
            long readAt = System.nanoTime();
            b = tailer.poll(c, readAt);
            if (!b.isEmpty()) {
                boolean done = (!b.flush() || context.sink().flush("table " + table.table() + " changed and has "
                        + "no key_columns")) && context.sink().evict(b.flush() ? List.of() : b.addresses(),
                        b.events(), readAt - b.oldestAgeMicros() * 1000);
                if (!done) {
                    tailer = new ChangeLogTailer(table.table(), from);
                    return false;
                }
                lastEventAt = Instant.now();
            }
            if (lease != null) {
                // persisted by the lease thread, fenced by the lease
                published.set(tailer.safeCursor());
            } else {
                position = Long.toString(tailer.max());
            }
        } while (b.full());
        return true;
    }

    /** The shared cache could not confirm an eviction: read the changes again after a back-off. */
    private void unconfirmed(long now) {
        lastReachedNanos = now; // the database answers; the shared cache does not
        if (lastError == null) {
            LOG.log(System.Logger.Level.WARNING, "query " + settings.queryName() + ": the shared cache could not "
                    + "confirm an eviction; the changes are applied again once it answers");
        }
        lastError = "the shared cache could not confirm an eviction";
        // short retries: the shared cache's own health check decides when it is usable again
        retryAtNanos = now + Math.min(backoffNanos, MAX_UNCONFIRMED_BACKOFF_NANOS);
        backoffNanos = Math.min(MAX_BACKOFF_NANOS, backoffNanos * 2);
    }

    private void healthy() {
        if (lastError != null) {
            LOG.log(System.Logger.Level.INFO, "query " + settings.queryName() + ": change feed works again against "
                    + settings.describe());
        }
        lastError = null;
        backoffNanos = MIN_BACKOFF_NANOS;
        retryAtNanos = 0;
    }

    private void disconnected(String message, long now) {
        if (lastError == null) {
            LOG.log(System.Logger.Level.WARNING, "query " + settings.queryName() + ": change feed cannot reach "
                    + settings.describe() + " (" + message + "); retrying with back-off, lookups go on");
        }
        lastError = message == null ? "error" : message;
        if (!leader) {
            state = "disconnected";
        }
        retryAtNanos = now + backoffNanos;
        backoffNanos = Math.min(MAX_BACKOFF_NANOS, backoffNanos * 2);
    }

    private static java.util.logging.Logger quiet(java.util.logging.Logger flyway) {
        flyway.setLevel(java.util.logging.Level.WARNING);
        return flyway;
    }

    private static boolean isConnectionFailure(SQLException e) {
        String s = e.getSQLState();
        return e instanceof SQLTransientConnectionException || e instanceof SQLNonTransientConnectionException
                || e instanceof SQLRecoverableException || s != null && s.startsWith("08");
    }

    /**
     * {@return true while this instance holds the lease: renewed within two thirds of {@code lease_ttl}, the limit
     * after which the loop gives it up itself (a loop that cannot reach the database would notice only later)}
     */
    boolean holdsLease() {
        return leader && !closing && lostBecause == null
                && System.nanoTime() - lastRenewNanos <= ttlNanos * 2 / 3;
    }

    @Override
    public ChangeFeedStatus status() {
        String st = state;
        if (lastError != null) {
            st = "disconnected";
        }
        return new ChangeFeedStatus(st, source, position, positionSavedAt, lastEventAt, holder, lastError);
    }

    @Override
    public void close() {
        closing = true;
        loop.shutdownNow();
        if (keeper != null) {
            keeper.shutdownNow();
        }
        try {
            loop.awaitTermination(5, TimeUnit.SECONDS);
            if (keeper != null) {
                keeper.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (leader) {
            try (Connection c = pool.getConnection()) {
                // the last published cursor first, so that the next leader does not evict these changes again
                long cursor = published.get();
                if (cursor >= 0 && cursor != persisted) {
                    lease.renew(c, cursor);
                }
                lease.release(c);
                LOG.log(System.Logger.Level.INFO, "query " + settings.queryName() + ": change feed lease released");
            } catch (SQLException e) {
                LOG.log(System.Logger.Level.WARNING, "query " + settings.queryName() + ": releasing the change "
                        + "feed lease failed (" + e.getMessage() + "); another instance takes it over after "
                        + "lease_ttl");
            }
            leader = false;
        }
        pool.close();
    }
}
