package xspct.distribution;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** SQL run as root on the local MariaDB, for tests that set up their own database. */
final class MariaDb {
    /** The local MariaDB as root, no database selected. */
    static final String JDBC = "jdbc:mysql://127.0.0.1:3306/?user=root&password=";

    private MariaDb() {
    }

    /**
     * Runs statements over JDBC, in order.
     *
     * @param statements the statements
     * @throws SQLException when one fails
     */
    static void jdbc(String... statements) throws SQLException {
        try (Connection c = DriverManager.getConnection(JDBC); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    /**
     * Runs SQL through the MariaDB command-line client; a missing client or server skips the test, or fails it
     * under {@code CI=true}.
     *
     * @param sql the statements
     */
    static void exec(String sql) {
        Path client = Files.isExecutable(Path.of("/usr/bin/mariadb")) ? Path.of("/usr/bin/mariadb")
                : Path.of("/usr/bin/mysql");
        Requirement.require(Files.isExecutable(client), "no MariaDB client (Debian package mariadb-client)");
        Distribution.Exited r = Distribution.runTool(List.of(client.toString(), "-h", "127.0.0.1", "-u", "root",
                "-e", sql), Distribution.workDir(), 60);
        Requirement.require(r.exitCode() == 0, "MariaDB at 127.0.0.1:3306 (root, no password) refused: "
                + r.output().trim());
    }
}
