package xspct.backend.mysql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;

/**
 * The feed's lease in its row of {@value ChangeLogMigrations#STATE_TABLE}: one holder at a time, kept by a
 * heartbeat, taken over by a conditional UPDATE once the heartbeat is older than the TTL. Every write of the holder
 * names the fence (incremented by each take-over), so a holder that lost the lease can no longer move the cursor.
 * Times are the database's, so the instances' clocks do not matter.
 */
final class LeaderLease {
    private static final String T = ChangeLogMigrations.STATE_TABLE;

    private final String name;
    private final String holder;
    private final String host;
    private final long pid;
    private final long ttlMicros;
    /** Written when the lease is taken (feed thread), read by renewals (lease thread). */
    private volatile long fence = -1;

    /**
     * @param name   the feed's row (the query name)
     * @param holder this instance's unique id ({@code host/pid/random})
     * @param ttl    {@code lease_ttl}
     */
    LeaderLease(String name, String holder, Duration ttl) {
        this.name = name;
        this.holder = holder;
        int slash = holder.indexOf('/');
        this.host = slash < 0 ? holder : holder.substring(0, slash);
        this.pid = ProcessHandle.current().pid();
        this.ttlMicros = ttl.toNanos() / 1000;
    }

    /** The feed's persisted position, read when the lease is gained. */
    record Position(long cursor, long prunedThrough, boolean fresh) {
    }

    /**
     * The current holder, for the status, or null.
     *
     * @param heartbeatAgeMicros how long ago the holder's heartbeat was, on the database's clock
     */
    record Holder(String host, long pid, Instant heartbeatAt, long heartbeatAgeMicros) {
        @Override
        public String toString() {
            return host + "/" + pid;
        }
    }

    /** Creates the feed's row on first use, its cursor at the end of the log: nothing before it is ours to replay. */
    void ensureRow(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT IGNORE INTO " + T + " (name, cursor_id) SELECT ?, "
                + "COALESCE(MAX(id), 0) FROM " + ChangeLogMigrations.LOG_TABLE)) {
            ps.setString(1, name);
            ps.executeUpdate();
        }
    }

    /**
     * Takes the lease when it is free or stale.
     *
     * @return true when this instance now holds it
     */
    boolean tryAcquire(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + T + " SET holder = ?, holder_host = ?, "
                + "holder_pid = ?, heartbeat_at = NOW(6), fence = fence + 1 WHERE name = ? AND (holder IS NULL "
                + "OR heartbeat_at IS NULL OR heartbeat_at < NOW(6) - INTERVAL ? MICROSECOND)")) {
            ps.setString(1, holder);
            ps.setString(2, host);
            ps.setLong(3, pid);
            ps.setString(4, name);
            ps.setLong(5, ttlMicros);
            if (ps.executeUpdate() != 1) {
                return false;
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT fence FROM " + T + " WHERE name = ? AND holder = ?")) {
            ps.setString(1, name);
            ps.setString(2, holder);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return false;
                }
                fence = rs.getLong(1);
                return true;
            }
        }
    }

    /** {@return the persisted position; call while holding the lease} */
    Position position(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT cursor_id, pruned_through, cursor_at FROM " + T
                + " WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("the change feed row " + name + " disappeared from " + T);
                }
                return new Position(rs.getLong(1), rs.getLong(2), rs.getTimestamp(3) == null);
            }
        }
    }

    /**
     * Renews the lease and, when {@code cursor >= 0}, stores the cursor in the same fenced statement.
     *
     * @return false when the lease was lost (taken over, or expired and not renewable)
     */
    boolean renew(Connection c, long cursor) throws SQLException {
        String set = cursor >= 0 ? "heartbeat_at = NOW(6), cursor_id = ?, cursor_at = NOW(6)" : "heartbeat_at = NOW(6)";
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + T + " SET " + set + " WHERE name = ? AND "
                + "holder = ? AND fence = ? AND heartbeat_at >= NOW(6) - INTERVAL ? MICROSECOND")) {
            int i = 1;
            if (cursor >= 0) {
                ps.setLong(i++, cursor);
            }
            ps.setString(i++, name);
            ps.setString(i++, holder);
            ps.setLong(i++, fence);
            ps.setLong(i, ttlMicros);
            return ps.executeUpdate() == 1;
        }
    }

    /** Gives the lease up, so that another instance takes over at once. */
    void release(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + T + " SET holder = NULL, heartbeat_at = NULL "
                + "WHERE name = ? AND holder = ? AND fence = ?")) {
            ps.setString(1, name);
            ps.setString(2, holder);
            ps.setLong(3, fence);
            ps.executeUpdate();
        }
    }

    /** {@return the lease's TTL in microseconds} */
    long ttlMicros() {
        return ttlMicros;
    }

    /** {@return the current holder, or null when the lease is free} */
    Holder holder(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT holder_host, holder_pid, heartbeat_at, "
                + "GREATEST(0, TIMESTAMPDIFF(MICROSECOND, heartbeat_at, NOW(6))) FROM " + T
                + " WHERE name = ? AND holder IS NOT NULL")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                Timestamp hb = rs.getTimestamp(3);
                return new Holder(rs.getString(1), rs.getLong(2), hb == null ? null : hb.toInstant(),
                        hb == null ? ttlMicros : rs.getLong(4));
            }
        }
    }
}
