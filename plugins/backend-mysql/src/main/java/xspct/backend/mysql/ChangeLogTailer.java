package xspct.backend.mysql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads the change log by id ({@code id > cursor}, the primary key) and turns rows into evictions.
 *
 * <p>Ids are handed out when a statement runs but become visible when its transaction commits, so a reader can
 * see id 11 before a slower transaction commits id 10. A skipped id is therefore remembered as a gap and read
 * again by id on every poll until it shows up or {@link #GAP_GRACE_NANOS} passes (a rolled-back transaction leaves
 * a gap forever). The cursor that may be persisted is the last id below the oldest open gap, so a restart reads
 * the gaps again.
 */
final class ChangeLogTailer {
    /** How long a skipped id is waited for: longer than the transactions that write watched tables. */
    static final long GAP_GRACE_NANOS = 60_000_000_000L;
    /** Rows read per statement. */
    static final int BATCH = 500;
    /** At most this many gaps are remembered; a larger jump of ids (a server restart) is not a gap. */
    private static final int MAX_GAPS = 2000;

    private final String table;
    /** The highest id read. */
    private long max;
    /** Skipped ids and when they were first skipped ({@link System#nanoTime()}). */
    private final TreeMap<Long, Long> gaps = new TreeMap<>();

    /** What one poll found: the addresses to evict, whether to evict everything, and counts. */
    record Batch(Set<String> addresses, boolean flush, int events, long oldestAgeMicros, boolean full) {
        boolean isEmpty() {
            return events == 0;
        }
    }

    /**
     * @param table  the watched table: rows of other tables are skipped (but still count as read)
     * @param cursor the id from which to read
     */
    ChangeLogTailer(String table, long cursor) {
        this.table = table;
        this.max = cursor;
    }

    /** {@return the id below which every row was applied or given up on: the cursor to persist} */
    long safeCursor() {
        return gaps.isEmpty() ? max : gaps.firstKey() - 1;
    }

    /** {@return the highest id read} */
    long max() {
        return max;
    }

    /** {@return the number of open gaps} */
    int openGaps() {
        return gaps.size();
    }

    /**
     * Reads the next rows and the rows of open gaps. The caller evicts the batch, then persists
     * {@link #safeCursor()}.
     */
    Batch poll(Connection c, long nowNanos) throws SQLException {
        Set<String> addresses = new LinkedHashSet<>();
        boolean[] flush = {false};
        int[] events = {0};
        long[] oldest = {0};
        boolean full;
        if (!gaps.isEmpty()) {
            StringBuilder in = new StringBuilder();
            int n = 0;
            for (Long id : gaps.keySet()) {
                if (n++ == BATCH) {
                    break;
                }
                in.append(n == 1 ? "?" : ", ?");
            }
            try (PreparedStatement ps = c.prepareStatement(select("id IN (" + in + ")"))) {
                int i = 1;
                for (Long id : gaps.keySet()) {
                    if (i > n) {
                        break;
                    }
                    ps.setLong(i++, id);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        gaps.remove(rs.getLong(1));
                        collect(rs, addresses, flush, events, oldest);
                    }
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(select("id > ?") + " LIMIT " + BATCH)) {
            ps.setLong(1, max);
            int rows = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows++;
                    long id = rs.getLong(1);
                    if (id - max - 1 <= MAX_GAPS) {
                        for (long g = max + 1; g < id; g++) {
                            gaps.put(g, nowNanos);
                        }
                    }
                    max = id;
                    collect(rs, addresses, flush, events, oldest);
                }
            }
            full = rows == BATCH;
        }
        expireGaps(nowNanos);
        return new Batch(addresses, flush[0], events[0], oldest[0], full);
    }

    private void expireGaps(long nowNanos) {
        Iterator<Map.Entry<Long, Long>> it = gaps.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Long, Long> e = it.next();
            if (nowNanos - e.getValue() > GAP_GRACE_NANOS || gaps.size() > MAX_GAPS) {
                it.remove();
            }
        }
    }

    private void collect(ResultSet rs, Set<String> addresses, boolean[] flush, int[] events, long[] oldest)
            throws SQLException {
        if (!table.equals(rs.getString(2))) {
            return;
        }
        events[0]++;
        oldest[0] = Math.max(oldest[0], rs.getLong(5));
        if (rs.getInt(4) != 0) {
            flush[0] = true;
            return;
        }
        String address = rs.getString(3);
        if (address != null && !address.isEmpty()) {
            addresses.add(address);
            // clients usually ask in lower case; the column may hold another case
            addresses.add(address.toLowerCase(Locale.ROOT));
        }
    }

    private static String select(String condition) {
        return "SELECT id, source_table, address, flush, GREATEST(0, TIMESTAMPDIFF(MICROSECOND, changed_at, "
                + "NOW(6))) FROM " + ChangeLogMigrations.LOG_TABLE + " WHERE " + condition + " ORDER BY id";
    }

    /**
     * Deletes rows older than the retention, in chunks, and records the highest deleted id in every feed's row so
     * that a feed whose cursor is older knows it missed changes.
     *
     * @return the number of rows deleted
     */
    static long prune(Connection c, long retentionSeconds) throws SQLException {
        long through;
        try (PreparedStatement ps = c.prepareStatement("SELECT MAX(id) FROM " + ChangeLogMigrations.LOG_TABLE
                + " WHERE changed_at < NOW(6) - INTERVAL ? SECOND")) {
            ps.setLong(1, retentionSeconds);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                through = rs.getLong(1);
                if (rs.wasNull()) {
                    return 0;
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + ChangeLogMigrations.STATE_TABLE
                + " SET pruned_through = GREATEST(pruned_through, ?)")) {
            ps.setLong(1, through);
            ps.executeUpdate();
        }
        long deleted = 0;
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + ChangeLogMigrations.LOG_TABLE
                + " WHERE id <= ? ORDER BY id LIMIT 5000")) {
            ps.setLong(1, through);
            int n;
            do {
                n = ps.executeUpdate();
                deleted += n;
            } while (n == 5000);
        }
        return deleted;
    }

    /** {@return the highest id in the log, or 0} */
    static long end(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(id), 0) FROM "
                + ChangeLogMigrations.LOG_TABLE); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
