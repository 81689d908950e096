package xspct.backend.mysql;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

import com.mysql.cj.jdbc.MysqlDataSource;

/**
 * A private database on the real MariaDB/MySQL (127.0.0.1:3306, root without password) for the change feed, whose
 * migrations create tables and triggers; {@link #close()} drops it and the users made for it. Missing server: the
 * test is skipped, or fails when {@code CI=true}.
 */
final class ChangeFeedDatabase implements AutoCloseable {
    final String name = "xcf" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    private final MysqlDataSource admin;
    private final java.util.List<String> users = new java.util.ArrayList<>();

    private ChangeFeedDatabase(MysqlDataSource admin) {
        this.admin = admin;
    }

    static ChangeFeedDatabase create() throws SQLException {
        MysqlDataSource ds = new MysqlDataSource();
        ds.setServerName(TestDatabase.HOST);
        ds.setPortNumber(TestDatabase.PORT);
        ds.setUser("root");
        ds.setPassword("");
        ds.setConnectTimeout(3000);
        try (Connection c = ds.getConnection()) {
            c.isValid(3);
        } catch (SQLException e) {
            String msg = "MariaDB/MySQL is not reachable at " + TestDatabase.HOST + ":" + TestDatabase.PORT
                    + " as root without password (" + e.getMessage() + "); start it to run the change feed tests";
            if ("true".equals(System.getenv("CI"))) {
                fail(msg);
            }
            assumeTrue(false, msg);
        }
        ChangeFeedDatabase db = new ChangeFeedDatabase(ds);
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + db.name);
        }
        return db;
    }

    /** Runs statements in the private database. */
    void exec(String... sql) throws SQLException {
        try (Connection c = admin.getConnection(); Statement st = c.createStatement()) {
            st.execute("USE " + name);
            for (String s : sql) {
                st.execute(s);
            }
        }
    }

    /** {@return the first column of the first row of a query in the private database} */
    long count(String sql) throws SQLException {
        try (Connection c = admin.getConnection(); Statement st = c.createStatement()) {
            st.execute("USE " + name);
            try (ResultSet rs = st.executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** A connection to the private database, for transactions a test keeps open. */
    Connection connection() throws SQLException {
        Connection c = admin.getConnection();
        try (Statement st = c.createStatement()) {
            st.execute("USE " + name);
        }
        return c;
    }

    /** Creates a user with a password and the given privileges on the private database. */
    void user(String user, String password, String privileges) throws SQLException {
        try (Connection c = admin.getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE USER '" + user + "'@'%' IDENTIFIED BY '" + password + "'");
            users.add(user);
            st.execute("GRANT " + privileges + " ON " + name + ".* TO '" + user + "'@'%'");
        }
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = admin.getConnection(); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name);
            for (String u : users) {
                st.execute("DROP USER IF EXISTS '" + u + "'@'%'");
            }
        }
    }
}
