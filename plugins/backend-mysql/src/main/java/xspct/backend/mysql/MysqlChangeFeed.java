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
 * take the lease over. A new holder replays from the persisted cursor, or evicts everything when the log was
 * pruned past it. Without a shared cache every instance tails the log itself from its end at start (its caches
 * start empty). The feed has its own small pool and one thread; when the database goes away it retries with
 * back-off while lookups go on.
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
    private final long ttlNanos;
    private final String source;

    // owned by the loop thread (the first step runs before the loop starts)
    private boolean installed;
    private boolean leader;
    private ChangeLogTailer tailer;
    private long persisted = -1;
    /** A flush owed before the cursor may move (the log was pruned past it). */
    private String pendingFlush;
    private long lastRenewNanos;
    private long nextRenewNanos;
    private long nextAcquireNanos;
    private long nextPruneNanos;
    private long retryAtNanos;
    private long backoffNanos = MIN_BACKOFF_NANOS;

    // read by status()
    private volatile String state = "starting";
    private volatile String position;
    private volatile Instant positionSavedAt;
    private volatile Instant lastEventAt;
    private volatile String holder;
    private volatile String lastError;
    // read by holdsLease(): the lease as the loop last confirmed it
    private volatile boolean leaseHeld;
    private volatile long leaseRenewedNanos;

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
        // Flyway holds its lock on one connection while migrating on another
        hc.setMaximumPoolSize(3);
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
        feed.loop.scheduleWithFixedDelay(() -> feed.step(false), poll, poll, TimeUnit.NANOSECONDS);
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
            if (now - lastRenewNanos > ttlNanos * 2 / 3) {
                // stop before the lease can be taken over: the others wait for a heartbeat older than the TTL
                lose("its heartbeat could not be renewed in time");
            } else if (now >= nextRenewNanos) {
                long sent = System.nanoTime();
                if (lease.renew(c, -1)) {
                    renewed(sent);
                } else {
                    lose("another instance took it over");
                }
            }
        }
        if (!leader && now >= nextAcquireNanos) {
            nextAcquireNanos = now + Math.min(ttlNanos / 3, 1_000_000_000L);
            // the heartbeat counts from when its statement is sent, not from the start of the step: a first step
            // that spent longer than the lease installing the change log would otherwise drop the lease at once
            long sent = System.nanoTime();
            if (lease.tryAcquire(c)) {
                gain(c, sent);
            } else {
                LeaderLease.Holder h = lease.holder(c);
                holder = h == null ? null : h.toString();
                state = "follower";
            }
        }
        return leader;
    }

    private void gain(Connection c, long now) throws SQLException {
        leader = true;
        renewed(now);
        holder = "this instance (" + context.instanceId() + ")";
        LeaderLease.Position p = lease.position(c);
        long cursor = p.cursor();
        persisted = cursor;
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

    private void renewed(long now) {
        lastRenewNanos = now;
        leaseRenewedNanos = now;
        leaseHeld = true;
        nextRenewNanos = now + ttlNanos / 3;
    }

    private void lose(String why) {
        leader = false;
        leaseHeld = false;
        tailer = null;
        state = "follower";
        holder = null;
        nextAcquireNanos = 0;
        LOG.log(System.Logger.Level.INFO, "query " + settings.queryName() + ": this instance lost the change feed "
                + "lease (" + why + ") and stopped following " + table.table());
    }

    /**
     * Applies batches until the log is read to its end; the cursor is persisted after each eviction.
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
            long cursor = tailer.safeCursor();
            if (lease != null && cursor != persisted) {
                long now = System.nanoTime();
                if (!lease.renew(c, cursor)) {
                    lose("another instance took it over");
                    return true;
                }
                renewed(now);
                persisted = cursor;
                positionSavedAt = Instant.now();
            }
            position = Long.toString(lease != null ? persisted : tailer.max());
        } while (b.full());
        return true;
    }

    /** The shared cache could not confirm an eviction: read the changes again after a back-off. */
    private void unconfirmed(long now) {
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
        return leaseHeld && System.nanoTime() - leaseRenewedNanos <= ttlNanos * 2 / 3;
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
        leaseHeld = false;
        loop.shutdownNow();
        try {
            loop.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (leader) {
            try (Connection c = pool.getConnection()) {
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
