package xspct.distribution;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** SQL run as root through the MariaDB command-line client, for tests that set up their own database. */
final class MariaDb {
    private MariaDb() {
    }

    /**
     * Runs SQL; a missing client or server skips the test, or fails it under {@code CI=true}.
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
