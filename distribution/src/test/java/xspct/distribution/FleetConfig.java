package xspct.distribution;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.UUID;

/**
 * Configuration and data of the tests that run several instances as one fleet: the caches they share in the local
 * Redis, the MariaDB {@code policy} query with its change feed, and the private database it reads.
 */
final class FleetConfig {
    private FleetConfig() {
    }

    /** {@return a unique prefix for a test's Redis keys and channel} */
    static String redisPrefix() {
        return "xspct_it_" + UUID.randomUUID().toString().substring(0, 12) + "_";
    }

    /**
     * Requires MariaDB, Redis and the release's plugins a fleet test runs on: the test is skipped without them, or
     * fails under {@code CI=true}.
     *
     * @param plugins the plugin directories needed, e.g. {@code mysql}
     */
    static void requireServices(String... plugins) {
        Requirement.service(3306, "MariaDB (root, no password)");
        Requirement.service(6379, "Redis");
        Path dir = Distribution.shared().plugins();
        Requirement.require(Arrays.stream(plugins).allMatch(p -> Files.isDirectory(dir.resolve(p))),
                "the release lacks one of plugins/" + String.join(", plugins/", plugins) + " (build them too)");
    }

    /**
     * Creates a private database with the table {@code policy (mail, quota)} that {@link #policyQuery} reads.
     *
     * @param stem the start of its name
     * @param rows the rows, e.g. {@code ('a@ex.test', 1), ('b@ex.test', 2)}
     * @return the database's name
     * @throws SQLException when MariaDB refuses
     */
    static String createPolicyDatabase(String stem, String rows) throws SQLException {
        String database = stem + UUID.randomUUID().toString().substring(0, 8);
        MariaDb.jdbc("CREATE DATABASE " + database,
                "CREATE TABLE " + database + ".policy (mail VARCHAR(200) PRIMARY KEY, quota INT)",
                "INSERT INTO " + database + ".policy VALUES " + rows);
        return database;
    }

    /**
     * Removes a fleet test's data: its database and its Redis keys.
     *
     * @param database the database made by {@link #createPolicyDatabase}, or null when none was made
     * @param prefix   the prefix of its Redis keys
     * @throws SQLException when MariaDB refuses
     */
    static void dropData(String database, String prefix) throws SQLException {
        if (database != null) {
            MariaDb.jdbc("DROP DATABASE IF EXISTS " + database);
        }
        Resp.deleteKeys(prefix);
    }

    /**
     * L1 and the shared Redis tier, entries kept an hour (so that only the change feed makes an answer change), Redis
     * keys and channel under the test's own prefix.
     *
     * @param prefix the key prefix (clean it up with {@link Resp#deleteKeys})
     * @return the YAML lines
     */
    static String sharedCaches(String prefix) {
        return """
                xspct_db_local_cache: {expire: 3600, expire_negative: 3600}
                xspct_db_redis_cache:
                  enabled: true
                  host: 127.0.0.1
                  port: 6379
                  expire: 3600
                  expire_negative: 3600
                  prefix_user: %1$suser_
                  prefix_alias: %1$salias_
                  prefix_negative_alias: %1$sneg_
                  invalidation_channel: %1$schan
                """.formatted(prefix);
    }

    /**
     * The query {@code policy} over the table {@code policy (mail, quota)} of a MariaDB database, with its change
     * feed.
     *
     * @param database the database
     * @param more     further keys of the query, one YAML line each
     * @return the YAML lines, {@code xspct_db_queries} included
     */
    static String policyQuery(String database, String... more) {
        StringBuilder yaml = new StringBuilder("""
                xspct_db_queries:
                  policy:
                    db_type: mysql
                    server: 127.0.0.1
                    user: root
                    database: %s
                    query: "SELECT mail, quota FROM policy WHERE mail = %%u"
                    query_replace: {"%%u": address}
                    primary_key: mail
                    change_feed: {table: policy, key_columns: [mail]}
                """.formatted(database));
        for (String line : more) {
            yaml.append("    ").append(line).append('\n');
        }
        return yaml.toString();
    }
}
