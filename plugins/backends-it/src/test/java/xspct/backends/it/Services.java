package xspct.backends.it;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.SQLException;

/** Opens the real services the tests need: skipped on a developer machine without them, failed under CI. */
final class Services {
    private Services() {
    }

    static ExampleDatabase database(int extraUsers) {
        try {
            return new ExampleDatabase(extraUsers);
        } catch (SQLException e) {
            String msg = "MariaDB/MySQL is not reachable at 127.0.0.1:3306 as root without password ("
                    + e.getMessage() + "); start it to run the backend pipeline tests";
            if ("true".equals(System.getenv("CI"))) {
                fail(msg);
            }
            assumeTrue(false, msg);
            throw new AssertionError(msg);
        }
    }
}
