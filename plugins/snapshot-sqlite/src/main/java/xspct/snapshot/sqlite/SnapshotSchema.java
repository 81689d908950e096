package xspct.snapshot.sqlite;

import java.util.List;

/**
 * The tables of a snapshot file. An operator reads them with {@code sqlite3}; the user objects are the JSON the
 * lookup endpoints answer with.
 */
final class SnapshotSchema {
    /** Increased on every incompatible change; an edge refuses files of another schema. */
    static final int VERSION = 1;

    static final List<String> CREATE = List.of(
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
            "CREATE TABLE users (primary_key TEXT PRIMARY KEY, answer TEXT NOT NULL) WITHOUT ROWID",
            "CREATE TABLE addresses (address TEXT PRIMARY KEY, primary_key TEXT NOT NULL) WITHOUT ROWID",
            "CREATE TABLE wildcards (domain TEXT PRIMARY KEY, key TEXT NOT NULL, primary_key TEXT NOT NULL) "
                    + "WITHOUT ROWID");

    static final String INSERT_META = "INSERT INTO meta (key, value) VALUES (?, ?)";
    static final String INSERT_USER = "INSERT OR REPLACE INTO users (primary_key, answer) VALUES (?, ?)";
    static final String INSERT_ADDRESS = "INSERT OR REPLACE INTO addresses (address, primary_key) VALUES (?, ?)";
    static final String INSERT_WILDCARD = "INSERT OR REPLACE INTO wildcards (domain, key, primary_key) "
            + "VALUES (?, ?, ?)";

    static final String SELECT_META = "SELECT value FROM meta WHERE key = ?";
    static final String SELECT_ADDRESS = "SELECT a.primary_key, u.answer FROM addresses a "
            + "JOIN users u ON u.primary_key = a.primary_key WHERE a.address = ?";
    static final String SELECT_WILDCARD = "SELECT w.key, w.primary_key, u.answer FROM wildcards w "
            + "JOIN users u ON u.primary_key = w.primary_key WHERE w.domain = ?";

    private SnapshotSchema() {
    }
}
