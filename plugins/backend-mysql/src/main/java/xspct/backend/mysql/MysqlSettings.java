package xspct.backend.mysql;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

import xspct.api.ConfigNode;
import xspct.api.QueryContext;

/**
 * The keys of one {@code mysql} query, read and checked once. Every problem is reported against its key path.
 *
 * @param queryName            the query name
 * @param host                 {@code server} (or its alias {@code host})
 * @param port                 {@code port}, default 3306
 * @param user                 {@code user}
 * @param password             {@code password}, may be empty
 * @param database             {@code database} (or its alias {@code db})
 * @param template             {@code query} compiled with {@code query_replace}
 * @param minConnections       {@code pool_minconn}
 * @param maxConnections       {@code pool_maxconn}
 * @param connectTimeoutMillis {@code connect_timeout}
 * @param queryTimeoutMillis   {@code query_timeout}
 * @param changeFeed           {@code change_feed}, when the query follows changes of a table
 */
record MysqlSettings(String queryName, String host, int port, String user, String password, String database,
                     SqlTemplate template, int minConnections, int maxConnections, int connectTimeoutMillis,
                     int queryTimeoutMillis, Optional<WatchedTable> changeFeed) {

    private static final Set<String> FIELDS = Set.of("username", "address", "userpart", "domain");

    static Optional<MysqlSettings> read(QueryContext ctx) {
        ConfigNode q = ctx.query();
        String name = ctx.queryName();
        boolean ok = true;
        String host = aliased(q, "server", "host");
        String database = aliased(q, "database", "db");
        String user = q.get("user").requireString();
        ok &= !host.isEmpty() && !database.isEmpty() && !user.isEmpty();
        // an empty password is valid (MySQL accounts without one); absent means empty too
        String password = q.get("password").asString("");
        int port = q.get("port").asInt(3306);
        if (port < 1 || port > 65535) {
            q.get("port").problem("must be a TCP port between 1 and 65535, got " + port);
            ok = false;
        }

        Map<String, String> replace = q.get("query_replace").asStringMap();
        for (Map.Entry<String, String> e : replace.entrySet()) {
            if (e.getKey().isEmpty()) {
                q.get("query_replace").problem("a placeholder must not be empty");
                ok = false;
            } else if (!FIELDS.contains(e.getValue())) {
                q.get("query_replace").get(e.getKey()).problem("unknown request field '" + e.getValue()
                        + "'; use one of username, address, userpart, domain");
                ok = false;
            }
        }
        ConfigNode queryNode = q.get("query");
        String query = queryNode.requireString();
        SqlTemplate template = null;
        if (query.isEmpty()) {
            ok = false;
        } else if (ok) {
            try {
                template = SqlTemplate.compile(query, replace);
                for (String ph : replace.keySet()) {
                    if (!query.contains(ph)) {
                        q.get("query_replace").warning("placeholder '" + ph + "' does not occur in query; "
                                + "it is not used");
                    }
                }
                if (!template.hasWhere()) {
                    queryNode.warning("has no WHERE condition, so every lookup reads its whole result and "
                            + "attributes rows by value only; add a WHERE condition with query_replace placeholders");
                } else if (template.params().isEmpty()) {
                    queryNode.warning("the WHERE condition has no placeholder; every lookup returns the same rows");
                }
                if (template.tail().toUpperCase(java.util.Locale.ROOT).contains("LIMIT")) {
                    queryNode.warning("LIMIT applies to the whole batch of addresses looked up together, not to "
                            + "each address");
                }
            } catch (IllegalArgumentException e) {
                queryNode.problem(e.getMessage());
                ok = false;
            }
        }

        ConfigNode root = ctx.root();
        int min = q.get("pool_minconn").asInt(root.get("xspct_db_mysql_pool_minconn").asInt(1));
        int max = q.get("pool_maxconn").asInt(root.get("xspct_db_mysql_pool_maxconn").asInt(20));
        if (min < 0) {
            q.get("pool_minconn").problem("must be 0 or more, got " + min);
            ok = false;
        }
        if (max < 1) {
            q.get("pool_maxconn").problem("must be 1 or more, got " + max);
            ok = false;
        } else if (min > max) {
            q.get("pool_minconn").problem("must not exceed pool_maxconn (" + max + "), got " + min);
            ok = false;
        }
        int connectMs = timeoutMillis(q.get("connect_timeout"), 5);
        int queryMs = timeoutMillis(q.get("query_timeout"), 10);
        ok &= connectMs > 0 && queryMs > 0;
        Optional<WatchedTable> changeFeed = WatchedTable.read(q);
        ok &= !q.get("change_feed").exists() || q.get("change_feed").isNull() || changeFeed.isPresent();
        if (!ok) {
            return Optional.empty();
        }
        return Optional.of(new MysqlSettings(name, host, port, user, password, database, template, min, max,
                connectMs, queryMs, changeFeed));
    }

    /** The original reads {@code server}/{@code database}; its docs say {@code host}/{@code db}: accept both. */
    private static String aliased(ConfigNode q, String key, String alias) {
        ConfigNode k = q.get(key);
        ConfigNode a = q.get(alias);
        if (k.exists() && a.exists() && !k.asString("").equals(a.asString(""))) {
            a.problem("'" + alias + "' is an alias of '" + key + "'; give only one of them");
            return "";
        }
        return k.exists() || !a.exists() ? k.requireString() : a.requireString();
    }

    private static int timeoutMillis(ConfigNode node, double defaultSeconds) {
        double s = node.asDouble(defaultSeconds);
        if (!(s > 0) || s > 3600) {
            node.problem("must be a number of seconds between 0 (exclusive) and 3600, got " + node.raw());
            return -1;
        }
        return (int) Math.max(1, Math.round(s * 1000));
    }

    /** Never prints the password. */
    @Override
    public String toString() {
        return "MysqlSettings[" + queryName + " " + describe() + "]";
    }

    /** {@return user@host:port/database, for log lines} */
    String describe() {
        return user + "@" + host + ":" + port + "/" + database;
    }
}
