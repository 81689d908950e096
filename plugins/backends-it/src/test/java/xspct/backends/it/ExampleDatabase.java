package xspct.backends.it;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

import com.mysql.cj.jdbc.MysqlDataSource;

/**
 * The worked example's tables in the real MariaDB/MySQL on 127.0.0.1:3306 (root, no password, database
 * {@code test}), under a unique prefix, dropped on close.
 */
public final class ExampleDatabase implements AutoCloseable {
    /** Prefix of this instance's tables. */
    public final String prefix = "xt" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()) + "_";
    private final MysqlDataSource admin = new MysqlDataSource();

    /**
     * Creates and fills the tables.
     *
     * @param extraUsers further policy rows {@code user<i>@example.org}
     * @throws SQLException when the database is not reachable
     */
    public ExampleDatabase(int extraUsers) throws SQLException {
        admin.setServerName("127.0.0.1");
        admin.setPortNumber(3306);
        admin.setUser("root");
        admin.setPassword("");
        admin.setDatabaseName("test");
        admin.setConnectTimeout(3000);
        try (Connection c = admin.getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE " + prefix + "policy (email VARCHAR(255) PRIMARY KEY, quota_mb INT, "
                    + "spam_score DECIMAL(4,1))");
            st.execute("INSERT INTO " + prefix + "policy VALUES ('alice@example.org', 1024, 6.5), "
                    + "('carol@other.example', 512, 8.0)");
            st.execute("CREATE TABLE " + prefix + "domains (domain VARCHAR(255) PRIMARY KEY, "
                    + "rspamd_profile VARCHAR(50))");
            st.execute("INSERT INTO " + prefix + "domains VALUES ('example.org', 'strict'), "
                    + "('other.example', 'relaxed')");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + prefix + "policy VALUES (?, ?, ?)")) {
                for (int i = 0; i < extraUsers; i++) {
                    ps.setString(1, "user" + i + "@example.org");
                    ps.setInt(2, 100 + i);
                    ps.setBigDecimal(3, java.math.BigDecimal.valueOf(5));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = admin.getConnection(); Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS " + prefix + "policy, " + prefix + "domains");
        }
    }
}
