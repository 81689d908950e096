package xspct.backend.mysql;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import com.mysql.cj.jdbc.MysqlDataSource;

/**
 * The real MariaDB/MySQL on 127.0.0.1:3306 (root, no password, database {@code test}), with tables under a unique
 * prefix that {@link #close()} drops. Missing server: the test is skipped, or fails when {@code CI=true}.
 */
final class TestDatabase implements AutoCloseable {
    static final String HOST = "127.0.0.1";
    static final int PORT = 3306;
    static final String DATABASE = "test";

    final String prefix = "xt" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()) + "_";
    private final MysqlDataSource admin;
    private final List<String> tables = new java.util.concurrent.CopyOnWriteArrayList<>();

    private TestDatabase(MysqlDataSource admin) {
        this.admin = admin;
    }

    static TestDatabase connect() {
        MysqlDataSource ds = new MysqlDataSource();
        ds.setServerName(HOST);
        ds.setPortNumber(PORT);
        ds.setUser("root");
        ds.setPassword("");
        ds.setDatabaseName(DATABASE);
        try {
            ds.setConnectTimeout(3000);
            try (Connection c = ds.getConnection()) {
                c.isValid(3);
            }
        } catch (SQLException e) {
            String msg = "MariaDB/MySQL is not reachable at " + HOST + ":" + PORT + " as root without password ("
                    + e.getMessage() + "); start it to run the MySQL backend tests";
            if ("true".equals(System.getenv("CI"))) {
                fail(msg);
            }
            assumeTrue(false, msg);
        }
        return new TestDatabase(ds);
    }

    /** Runs statements, e.g. CREATE TABLE {prefix}users ...; {@code {p}} is replaced by the prefix. */
    void exec(String... sql) throws SQLException {
        try (Connection c = admin.getConnection(); Statement st = c.createStatement()) {
            for (String s : sql) {
                String text = s.replace("{p}", prefix);
                if (text.strip().toUpperCase(java.util.Locale.ROOT).startsWith("CREATE TABLE")) {
                    String name = text.strip().split("\\s+")[2];
                    tables.add(name);
                }
                st.execute(text);
            }
        }
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = admin.getConnection(); Statement st = c.createStatement()) {
            for (String t : tables) {
                st.execute("DROP TABLE IF EXISTS " + t);
            }
        }
    }

    /** Wraps a DataSource so that every prepared or plain statement created through it is counted. */
    static java.util.function.UnaryOperator<DataSource> counting(AtomicInteger statements) {
        return ds -> (DataSource) Proxy.newProxyInstance(TestDatabase.class.getClassLoader(),
                new Class<?>[] {DataSource.class}, (proxy, m, args) -> {
                    Object r = invoke(ds, m, args);
                    if (r instanceof Connection conn) {
                        return Proxy.newProxyInstance(TestDatabase.class.getClassLoader(),
                                new Class<?>[] {Connection.class}, (p2, m2, a2) -> {
                                    if (m2.getName().equals("prepareStatement")
                                            || m2.getName().equals("createStatement")) {
                                        statements.incrementAndGet();
                                    }
                                    return invoke(conn, m2, a2);
                                });
                    }
                    return r;
                });
    }

    private static Object invoke(Object target, java.lang.reflect.Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
