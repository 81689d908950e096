package xspct.backend.mysql;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import javax.sql.DataSource;

import com.mysql.cj.jdbc.MysqlDataSource;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;

import xspct.api.AddressEnumeration;
import xspct.api.Backend;
import xspct.api.BackendResult;
import xspct.api.ChangeFeed;
import xspct.api.ChangeFeedContext;
import xspct.api.ChangeSource;
import xspct.api.LookupRequest;
import xspct.api.PooledBackend;
import xspct.api.QueryContext;
import xspct.api.ResourceGauges;
import xspct.api.RowAttribution;

/**
 * One {@code mysql} query: a HikariCP pool and the compiled statement template.
 *
 * <p>A batch becomes exactly one prepared statement whose condition is repeated once per distinct parameter list;
 * request values are only ever bound as parameters. The pool starts without a reachable server
 * ({@code initializationFailTimeout = -1}): lookups answer {@code 500 MySQL connection error} until it is back, then
 * recover by themselves. A statement is bounded by {@code query_timeout} (server-side cancel, and a socket timeout
 * for a server that stops answering at all).
 */
final class MysqlBackend implements Backend, PooledBackend, ResourceGauges, AddressEnumeration, ChangeSource {
    private static final System.Logger LOG = System.getLogger(MysqlBackend.class.getName());
    static final String QUERY_ERROR = "500 MySQL query error";
    static final String CONNECTION_ERROR = "500 MySQL connection error";
    static final String CONFIG_ERROR = "500 invalid query config";
    /** MySQL error codes that mean the account or schema is wrong rather than the server unreachable. */
    private static final int ACCESS_DENIED = 1045;
    private static final int UNKNOWN_DATABASE = 1049;

    private final MysqlSettings settings;
    private final HikariDataSource pool;
    private final AtomicBoolean down = new AtomicBoolean();
    private final SnapshotListQuery listQuery;
    private final DataSource connections;

    private MysqlBackend(MysqlSettings settings, HikariDataSource pool, SnapshotListQuery listQuery,
                         DataSource connections) {
        this.settings = settings;
        this.pool = pool;
        this.listQuery = listQuery;
        this.connections = connections;
    }

    /**
     * Creates the backend.
     *
     * @param decorate wraps the driver's DataSource (tests count statements with it); identity in production
     */
    static Backend create(QueryContext ctx, UnaryOperator<DataSource> decorate) {
        Optional<MysqlSettings> read = MysqlSettings.read(ctx);
        if (read.isEmpty()) {
            // the core refuses to start with the recorded problems; this stand-in is never queried
            return requests -> BackendResult.failed(CONFIG_ERROR);
        }
        MysqlSettings s = read.get();
        DataSource connections = new LoginTimeoutDataSource(decorate.apply(driver(s)),
                (int) Math.ceil(s.connectTimeoutMillis() / 1000.0));
        HikariConfig hc = new HikariConfig();
        hc.setDataSource(connections);
        hc.setPoolName("xspct-mysql-" + s.queryName());
        hc.setMinimumIdle(s.minConnections());
        hc.setMaximumPoolSize(s.maxConnections());
        hc.setConnectionTimeout(Math.max(250, s.connectTimeoutMillis()));
        hc.setValidationTimeout(Math.max(250, s.connectTimeoutMillis() / 2));
        hc.setInitializationFailTimeout(-1);
        hc.setAutoCommit(true);
        MysqlBackend backend = new MysqlBackend(s, new HikariDataSource(hc), SnapshotListQuery.read(ctx.query()),
                connections);
        Thread.ofVirtual().name("xspct-mysql-start-" + s.queryName()).start(backend::probe);
        return backend;
    }

    /** The driver's DataSource for the query's server and account. */
    private static MysqlDataSource driver(MysqlSettings s) {
        // the driver is handed to the pool directly: DriverManager does not see drivers in a plugin layer
        MysqlDataSource driver = new MysqlDataSource();
        driver.setServerName(s.host());
        driver.setPortNumber(s.port());
        driver.setUser(s.user());
        driver.setPassword(s.password());
        driver.setDatabaseName(s.database());
        try {
            driver.setConnectTimeout(s.connectTimeoutMillis());
            // a server that stops answering must not hold a request: the socket gives up shortly after the
            // statement's own timeout would have cancelled it
            driver.setSocketTimeout(s.queryTimeoutMillis() + 2000);
            driver.setCharacterEncoding("UTF-8");
            driver.setTinyInt1isBit(false);
            driver.setYearIsDateType(false);
            driver.setZeroDateTimeBehavior("CONVERT_TO_NULL");
            driver.setCachePrepStmts(true);
        } catch (SQLException e) {
            throw new IllegalStateException("query " + s.queryName() + ": cannot configure the MySQL driver: "
                    + e.getMessage(), e);
        }
        return driver;
    }

    @Override
    public ChangeFeed startChangeFeed(ChangeFeedContext context) {
        return settings.changeFeed().<ChangeFeed>map(t -> {
            MysqlChangeFeed feed = MysqlChangeFeed.start(settings, t, context, connections);
            // with a shared cache the feed runs under a lease: its holder is the fleet's leader
            return context.sharedCache() ? new LeasedChangeFeed(feed) : feed;
        }).orElse(null);
    }

    /** One connection at start, so a wrong account or an unreachable server is reported right away. */
    // the connection is only opened and returned: that is the probe
    @SuppressWarnings("try")
    private void probe() {
        try (Connection c = pool.getConnection()) {
            LOG.log(System.Logger.Level.INFO, "query " + settings.queryName() + ": connected to MySQL "
                    + settings.describe());
        } catch (SQLException e) {
            if (pool.isClosed()) {
                return;
            }
            down.set(true);
            SQLException cause = driverCause(e);
            int code = cause.getErrorCode();
            if (code == ACCESS_DENIED || code == UNKNOWN_DATABASE) {
                LOG.log(System.Logger.Level.ERROR, "query " + settings.queryName() + ": MySQL refused "
                        + settings.describe() + " (" + cause.getMessage() + "; check user, password and database); "
                        + "lookups answer '" + CONNECTION_ERROR + "' until this is fixed");
            } else {
                LOG.log(System.Logger.Level.WARNING, "query " + settings.queryName() + ": cannot connect to MySQL "
                        + settings.describe() + " (" + cause.getMessage() + "); lookups answer '"
                        + CONNECTION_ERROR + "' until it is reachable");
            }
        }
    }

    @Override
    public boolean canEnumerate() {
        return listQuery.configured();
    }

    @Override
    public void enumerate(Consumer<String> addresses) throws SQLException {
        listQuery.run(pool, addresses);
    }

    @Override
    public BackendResult lookup(List<LookupRequest> requests) {
        SqlTemplate t = settings.template();
        List<List<String>> substituted = new ArrayList<>(requests.size());
        Set<List<String>> conditions = new LinkedHashSet<>();
        for (LookupRequest r : requests) {
            List<String> subs = new ArrayList<>();
            for (String v : r.values()) {
                LookupRequest d = derived(r, v);
                List<String> bound = new ArrayList<>(t.params().size());
                for (SqlTemplate.Param p : t.params()) {
                    bound.add(p.value(d, true));
                    subs.add(p.value(d, false));
                }
                conditions.add(bound);
            }
            substituted.add(subs);
        }
        String sql = t.sql(conditions.size());
        List<Map<String, Object>> rows = new ArrayList<>();
        Connection c;
        try {
            c = pool.getConnection();
        } catch (SQLException e) {
            return BackendResult.failed(connectionFailure(driverCause(e)));
        }
        try (c; PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setQueryTimeout((int) Math.ceil(settings.queryTimeoutMillis() / 1000.0));
            int i = 1;
            for (List<String> bound : conditions) {
                for (String v : bound) {
                    ps.setString(i++, v);
                }
            }
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData md = rs.getMetaData();
                int n = md.getColumnCount();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int col = 1; col <= n; col++) {
                        row.put(md.getColumnLabel(col), value(rs, col, md.getColumnType(col)));
                    }
                    rows.add(row);
                }
            }
        } catch (SQLException e) {
            if (isConnectionFailure(e)) {
                return BackendResult.failed(connectionFailure(e));
            }
            LOG.log(System.Logger.Level.WARNING, "query " + settings.queryName() + ": statement failed ("
                    + e.getMessage() + ")");
            return BackendResult.failed(QUERY_ERROR);
        }
        if (down.compareAndSet(true, false)) {
            LOG.log(System.Logger.Level.INFO, "query " + settings.queryName() + ": MySQL " + settings.describe()
                    + " answers again");
        }
        return BackendResult.of(new RowAttribution(requests, substituted).entries(rows));
    }

    private String connectionFailure(SQLException e) {
        if (down.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, "query " + settings.queryName() + ": MySQL " + settings.describe()
                    + " unavailable (" + e.getMessage() + "); answering '" + CONNECTION_ERROR + "' until it is back");
        }
        return CONNECTION_ERROR;
    }

    private static boolean isConnectionFailure(SQLException e) {
        String state = e.getSQLState();
        return e instanceof SQLTransientConnectionException || e instanceof SQLNonTransientConnectionException
                || e instanceof SQLRecoverableException || state != null && state.startsWith("08");
    }

    /** The driver's own exception behind the pool's timeout, which carries the reason. */
    private static SQLException driverCause(SQLException e) {
        Throwable t = e;
        while (t != null) {
            if (t instanceof SQLException s && !(s instanceof SQLTransientConnectionException) && s != e) {
                return s;
            }
            t = t.getCause();
        }
        return e;
    }

    /** The request fields for one searched value: the request itself, or rebuilt from a further chained value. */
    private static LookupRequest derived(LookupRequest r, String value) {
        if (value.equals(r.username())) {
            return r;
        }
        int at = value.indexOf('@');
        return new LookupRequest(value, value, at < 0 ? value : value.substring(0, at),
                at < 0 ? r.domain() : value.substring(at + 1), List.of(value));
    }

    /**
     * A column value as the core renders it (docs/compatibility.md: "Values render as text"): integers as numbers,
     * decimals and floating point as
     * canonical decimal text, dates and times as MySQL prints them, binary columns as bytes, the rest as text.
     */
    static Object value(ResultSet rs, int col, int type) throws SQLException {
        Object out = switch (type) {
            case Types.TINYINT, Types.SMALLINT, Types.INTEGER, Types.BIGINT -> {
                Object o = rs.getObject(col);
                yield o == null || o instanceof BigInteger ? o : (Object) ((Number) o).longValue();
            }
            case Types.BIT, Types.BOOLEAN -> rs.getLong(col);
            case Types.DECIMAL, Types.NUMERIC -> {
                BigDecimal d = rs.getBigDecimal(col);
                yield d == null ? null : d.toPlainString();
            }
            case Types.REAL, Types.FLOAT -> decimal(Float.toString(rs.getFloat(col)));
            case Types.DOUBLE -> decimal(Double.toString(rs.getDouble(col)));
            case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> rs.getBytes(col);
            default -> rs.getString(col);
        };
        return rs.wasNull() ? null : out;
    }

    /** Shortest round-trip digits in plain notation, with a fractional part as Python prints floats. */
    private static String decimal(String javaText) {
        String plain = new BigDecimal(javaText).toPlainString();
        return plain.contains(".") ? plain : plain + ".0";
    }

    @Override
    public Map<String, Number> gauges() {
        HikariPoolMXBean mx = pool.getHikariPoolMXBean();
        if (mx == null) {
            return Map.of();
        }
        return Map.of("active", mx.getActiveConnections(), "idle", mx.getIdleConnections(),
                "waiting", mx.getThreadsAwaitingConnection(), "total", mx.getTotalConnections());
    }

    @Override
    public void close() {
        pool.close();
    }

    @Override
    public String poolFamily() {
        return "mysql";
    }

    @Override
    public int poolLimit() {
        return settings.maxConnections();
    }

    /** Size and free connections, as the original prints its MySQL pools. */
    @Override
    public String poolSummary() {
        HikariPoolMXBean mx = pool.getHikariPoolMXBean();
        int total = mx == null ? 0 : mx.getTotalConnections();
        int idle = mx == null ? 0 : mx.getIdleConnections();
        return "{'size': " + total + ", 'free': " + idle + "}";
    }

    @Override
    public String translationError() {
        return QUERY_ERROR;
    }
}
