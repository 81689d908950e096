package xspct.distribution;

/**
 * Configuration pieces of the tests that run several instances as one fleet: the caches they share in the local
 * Redis, and the MariaDB {@code policy} query with its change feed.
 */
final class FleetConfig {
    private FleetConfig() {
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
