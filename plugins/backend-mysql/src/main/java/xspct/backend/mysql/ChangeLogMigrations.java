package xspct.backend.mysql;

import java.nio.charset.StandardCharsets;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;

/**
 * What the change feed installs in the query's database, as Flyway migrations with their own history table
 * ({@value #HISTORY_TABLE}, so that an application's own Flyway history is never touched). Flyway's lock on the
 * history table makes concurrent starts of a fleet apply each migration exactly once.
 *
 * <ul>
 *   <li>version 1: the change log {@value #LOG_TABLE} and the feed state {@value #STATE_TABLE} (lease, cursor,
 *       pruning mark per feed);</li>
 *   <li>one repeatable migration per watched table: its AFTER INSERT, UPDATE and DELETE triggers, which copy the
 *       OLD and NEW values of the key columns into the log. Flyway re-applies it when its text changes, i.e. when
 *       the key columns change.</li>
 * </ul>
 * Migrations another instance applied for tables this one does not watch are tolerated.
 */
final class ChangeLogMigrations {
    static final String LOG_TABLE = "xspct_change_log";
    static final String STATE_TABLE = "xspct_change_feed_state";
    static final String HISTORY_TABLE = "xspct_change_feed_history";
    private static final int MAX_IDENTIFIER = 64;

    private ChangeLogMigrations() {
    }

    /**
     * Applies the pending migrations.
     *
     * @param dataSource the feed's connections
     * @param table      the watched table
     * @param mariadb    true for MariaDB, which replaces triggers atomically ({@code CREATE OR REPLACE})
     * @return the number of migrations applied by this call
     * @throws org.flywaydb.core.api.FlywayException when a migration fails
     */
    static int migrate(DataSource dataSource, WatchedTable table, boolean mariadb) {
        // the plugin's own loader: Flyway finds its database support (flyway-mysql) with ServiceLoader in it
        Flyway flyway = Flyway.configure(ChangeLogMigrations.class.getClassLoader())
                .dataSource(dataSource)
                .table(HISTORY_TABLE)
                .locations(new String[0])
                .failOnMissingLocations(false)
                .javaMigrations(new BaseSchema(), new Triggers(table, mariadb))
                // the customer's schema is not empty: start our history below our first version
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .ignoreMigrationPatterns("*:missing", "*:future")
                .load();
        return flyway.migrate().migrationsExecuted;
    }

    /** {@return the trigger names of a table: after insert, update, delete} */
    static List<String> triggerNames(String table) {
        String stem = "xspct_cf_" + table;
        if (stem.length() + 3 > MAX_IDENTIFIER) {
            CRC32 crc = new CRC32();
            crc.update(table.getBytes(StandardCharsets.UTF_8));
            stem = stem.substring(0, MAX_IDENTIFIER - 3 - 9) + "_" + String.format("%08x", crc.getValue());
        }
        return List.of(stem + "_ai", stem + "_au", stem + "_ad");
    }

    /** {@return the statements creating the triggers of a table} */
    static List<String> triggerStatements(WatchedTable t, boolean mariadb) {
        List<String> names = triggerNames(t.table());
        String[] events = {"INSERT", "UPDATE", "DELETE"};
        List<String> sql = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            List<String> rows = new ArrayList<>();
            String quotedTable = "'" + t.table() + "'";
            if (t.keyColumns().isEmpty()) {
                rows.add("(" + quotedTable + ", NULL, 1)");
            } else {
                for (String c : t.keyColumns()) {
                    if (!events[i].equals("INSERT")) {
                        rows.add("(" + quotedTable + ", OLD.`" + c + "`, 0)");
                    }
                    if (!events[i].equals("DELETE")) {
                        rows.add("(" + quotedTable + ", NEW.`" + c + "`, 0)");
                    }
                }
            }
            String create = mariadb ? "CREATE OR REPLACE TRIGGER " : "CREATE TRIGGER ";
            if (!mariadb) {
                sql.add("DROP TRIGGER IF EXISTS `" + names.get(i) + "`");
            }
            sql.add(create + "`" + names.get(i) + "` AFTER " + events[i] + " ON `" + t.table()
                    + "` FOR EACH ROW INSERT INTO " + LOG_TABLE + " (source_table, address, flush) VALUES "
                    + String.join(", ", rows));
        }
        return sql;
    }

    /** Version 1: the log and the state table. */
    static final class BaseSchema extends Migration {
        BaseSchema() {
            super(MigrationVersion.fromVersion("1"), "change log and feed state", List.of(
                    "CREATE TABLE IF NOT EXISTS " + LOG_TABLE + " ("
                            + "id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, "
                            + "source_table VARCHAR(64) NOT NULL, "
                            + "address VARCHAR(320) NULL, "
                            + "flush TINYINT NOT NULL DEFAULT 0, "
                            + "changed_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), "
                            + "KEY " + LOG_TABLE + "_changed_at (changed_at)"
                            + ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
                    "CREATE TABLE IF NOT EXISTS " + STATE_TABLE + " ("
                            + "name VARCHAR(191) NOT NULL PRIMARY KEY, "
                            + "holder VARCHAR(191) NULL, "
                            + "holder_host VARCHAR(255) NULL, "
                            + "holder_pid BIGINT NULL, "
                            + "heartbeat_at TIMESTAMP(6) NULL, "
                            + "fence BIGINT NOT NULL DEFAULT 0, "
                            + "cursor_id BIGINT UNSIGNED NOT NULL DEFAULT 0, "
                            + "cursor_at TIMESTAMP(6) NULL, "
                            + "pruned_through BIGINT UNSIGNED NOT NULL DEFAULT 0"
                            + ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"));
        }
    }

    /** The triggers of one watched table, a repeatable migration re-applied when the key columns change. */
    static final class Triggers extends Migration {
        Triggers(WatchedTable t, boolean mariadb) {
            super(null, "triggers on " + t.table(), triggerStatements(t, mariadb));
        }
    }

    /** A migration made of fixed statements; its checksum is the statements' text. */
    abstract static class Migration implements JavaMigration {
        private final MigrationVersion version;
        private final String description;
        private final List<String> statements;

        Migration(MigrationVersion version, String description, List<String> statements) {
            this.version = version;
            this.description = description;
            this.statements = List.copyOf(statements);
        }

        @Override
        public MigrationVersion getVersion() {
            return version;
        }

        @Override
        public String getDescription() {
            return description;
        }

        @Override
        public Integer getChecksum() {
            CRC32 crc = new CRC32();
            for (String s : statements) {
                crc.update(s.getBytes(StandardCharsets.UTF_8));
                crc.update('\n');
            }
            return (int) crc.getValue();
        }

        @Override
        public boolean canExecuteInTransaction() {
            // MySQL commits DDL implicitly; Flyway must not pretend to roll it back
            return false;
        }

        @Override
        public void migrate(Context context) throws Exception {
            try (Statement st = context.getConnection().createStatement()) {
                for (String s : statements) {
                    st.execute(s);
                }
            }
        }
    }
}
