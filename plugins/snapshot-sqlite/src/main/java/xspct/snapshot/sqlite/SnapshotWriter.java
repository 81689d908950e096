package xspct.snapshot.sqlite;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;

import org.sqlite.SQLiteConfig;
import xspct.api.SnapshotSink;

/**
 * Writes one new snapshot file: the schema, then the content in one transaction, batched. The file is private to
 * the build until the publisher moves it into the version directory, so durability pragmas are off while writing
 * and the file is synced once at the end.
 */
final class SnapshotWriter implements SnapshotSink, AutoCloseable {
    private static final int BATCH = 1000;

    private final Connection connection;
    private final PreparedStatement users;
    private final PreparedStatement addresses;
    private final PreparedStatement wildcards;
    private int pending;

    /**
     * Creates the file and its tables.
     *
     * @param file    a path that does not exist yet
     * @param version the version name, stored in the file
     * @param created the build time, stored in the file
     * @throws SQLException when the file cannot be created
     */
    SnapshotWriter(Path file, String version, Instant created) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.OFF);
        config.setSynchronous(SQLiteConfig.SynchronousMode.OFF);
        this.connection = config.createConnection("jdbc:sqlite:" + file);
        try (Statement s = connection.createStatement()) {
            for (String ddl : SnapshotSchema.CREATE) {
                s.execute(ddl);
            }
        }
        connection.setAutoCommit(false);
        try (PreparedStatement meta = connection.prepareStatement(SnapshotSchema.INSERT_META)) {
            meta(meta, "schema_version", Integer.toString(SnapshotSchema.VERSION));
            meta(meta, "version", version);
            meta(meta, "created", created.toString());
        }
        this.users = connection.prepareStatement(SnapshotSchema.INSERT_USER);
        this.addresses = connection.prepareStatement(SnapshotSchema.INSERT_ADDRESS);
        this.wildcards = connection.prepareStatement(SnapshotSchema.INSERT_WILDCARD);
    }

    private static void meta(PreparedStatement s, String key, String value) throws SQLException {
        s.setString(1, key);
        s.setString(2, value);
        s.executeUpdate();
    }

    @Override
    public void user(String primaryKey, String json) {
        add(users, primaryKey, json, null);
    }

    @Override
    public void address(String address, String primaryKey) {
        add(addresses, address, primaryKey, null);
    }

    @Override
    public void wildcard(String domain, String key, String primaryKey) {
        add(wildcards, domain, key, primaryKey);
    }

    private void add(PreparedStatement s, String a, String b, String c) {
        try {
            s.setString(1, a);
            s.setString(2, b);
            if (c != null) {
                s.setString(3, c);
            }
            s.addBatch();
            if (++pending >= BATCH) {
                flush();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("writing the snapshot failed: " + e.getMessage(), e);
        }
    }

    private void flush() throws SQLException {
        users.executeBatch();
        addresses.executeBatch();
        wildcards.executeBatch();
        pending = 0;
    }

    /**
     * Commits the content.
     *
     * @return the number of users, addresses and wildcard entries written
     * @throws SQLException when writing failed (a full disk, for instance)
     */
    Counts finish() throws SQLException {
        flush();
        connection.commit();
        return new Counts(count("users"), count("addresses"), count("wildcards"));
    }

    private long count(String table) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet r = s.executeQuery(
                "SELECT count(*) FROM " + table)) {
            return r.next() ? r.getLong(1) : 0;
        }
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }

    /** Row counts of a written file. */
    record Counts(long users, long addresses, long wildcards) {
    }
}
