package xspct.backend.mysql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import java.util.function.Consumer;

import javax.sql.DataSource;

import xspct.api.ConfigNode;

/**
 * {@code snapshot_list_query}: a statement without parameters whose first column lists every address the query
 * answers, for snapshots (for example {@code SELECT mail FROM users}). Rows are streamed, not loaded at once.
 *
 * @param sql the statement, or empty when the query does not enumerate
 */
record SnapshotListQuery(String sql) {
    static final SnapshotListQuery NONE = new SnapshotListQuery("");

    static SnapshotListQuery read(ConfigNode query) {
        ConfigNode n = query.get("snapshot_list_query");
        String sql = n.asString("").strip();
        if (!sql.isEmpty() && !sql.toUpperCase(Locale.ROOT).startsWith("SELECT")) {
            n.problem("must be a SELECT statement listing the addresses in its first column");
            return NONE;
        }
        return new SnapshotListQuery(sql);
    }

    boolean configured() {
        return !sql.isEmpty();
    }

    void run(DataSource pool, Consumer<String> addresses) throws SQLException {
        try (Connection c = pool.getConnection();
             PreparedStatement s = c.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
            s.setFetchSize(Integer.MIN_VALUE); // Connector/J: stream the rows
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    String a = r.getString(1);
                    if (a != null && !a.isEmpty()) {
                        addresses.accept(a);
                    }
                }
            }
        }
    }
}
