package xspct.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;

/**
 * No secret appears in the log, even at DEBUG (10): API keys, LDAP bind and MySQL passwords, the Redis password and
 * basic-auth passwords, on success and failure paths. MariaDB and Redis are the real services on loopback (a
 * MariaDB account with a known password is made for the test); LDAP points at a closed port, and Redis is given a
 * password it does not expect, so their error paths are logged.
 */
class SecretsIT {
    private static final String SUFFIX = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
    private static final String API_KEY = "apikey-" + SUFFIX;
    private static final String LDAP_PW = "ldappw-" + SUFFIX;
    private static final String MYSQL_PW = "mysqlpw-" + SUFFIX;
    private static final String REDIS_PW = "redispw-" + SUFFIX;
    private static final String BASIC_PW = "basicpw-" + SUFFIX;
    private static final String MYSQL_USER = "xspct_secret_" + SUFFIX.substring(0, 8);
    private static final String TABLE = "secrets_it_" + SUFFIX.substring(0, 8);

    @Test
    void noSecretInTheDebugLog() throws Exception {
        MariaDb.exec("CREATE TABLE test." + TABLE + " (mail VARCHAR(200) PRIMARY KEY, quota INT); "
                + "INSERT INTO test." + TABLE + " VALUES ('dave@example.com', 5); "
                + "CREATE USER '" + MYSQL_USER + "'@'%' IDENTIFIED BY '" + MYSQL_PW + "'; "
                + "CREATE USER '" + MYSQL_USER + "'@'localhost' IDENTIFIED BY '" + MYSQL_PW + "'; "
                + "GRANT SELECT ON test." + TABLE + " TO '" + MYSQL_USER + "'@'%'; "
                + "GRANT SELECT ON test." + TABLE + " TO '" + MYSQL_USER + "'@'localhost';");
        try {
            run();
        } finally {
            MariaDb.exec("DROP USER IF EXISTS '" + MYSQL_USER + "'@'%'; DROP USER IF EXISTS '" + MYSQL_USER
                    + "'@'localhost'; DROP TABLE IF EXISTS test." + TABLE + ";");
        }
    }

    private void run() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort(); // free again once closed: nothing listens there
        }
        String config = """
                xspct_db_listen_address: 127.0.0.1
                xspct_db_listen_port: 0
                xspct_db_log_level: 10
                xspct_db_api_key: [%1$s]
                xspct_db_metrics_enabled: true
                xspct_db_metrics_auth:
                  enabled: true
                  basic_auth_users:
                    prom: %5$s
                xspct_db_redis_cache:
                  enabled: true
                  host: 127.0.0.1
                  port: 6379
                  password: %4$s
                xspct_db_queries:
                  people:
                    db_type: mysql
                    server: 127.0.0.1
                    port: 3306
                    user: %6$s
                    password: %3$s
                    database: test
                    query: "SELECT mail, quota FROM %7$s WHERE mail = '%%u'"
                    query_replace: {"%%u": address}
                  directory:
                    db_type: ldap
                    server: ldap://127.0.0.1:%8$d
                    bind_dn: cn=reader,dc=example,dc=com
                    bind_dn_pw: %2$s
                    base_dn: dc=example,dc=com
                    search_filter: (mail=%%s)
                    search_filter_replace: {"%%s": address}
                """.formatted(API_KEY, LDAP_PW, MYSQL_PW, REDIS_PW, BASIC_PW, MYSQL_USER, TABLE, closedPort);
        Distribution dist = Distribution.shared();
        List<String> secrets = List.of(API_KEY, LDAP_PW, MYSQL_PW, REDIS_PW, BASIC_PW);
        String stdout;
        String stderr;
        try (RunningServer server = RunningServer.start(dist, dist.writeConfig("secrets.yml", config))) {
            Map<String, String> key = Map.of("X-Api-Key", API_KEY);
            server.get("/v1/query/dave@example.com", key);
            server.get("/v1/query/nobody@example.com", Map.of("X-Api-Key", API_KEY, "X-Rspamd-ID", "Q1234"));
            server.post("/v1/query-json", "{\"users\": [\"dave@example.com\"]}", key);
            server.post("/v1/rspamd-settings", "{\"from\": \"dave@example.com\", \"rcpts\": [\"a@example.com\"], "
                    + "\"uid\": \"U77\"}", key);
            server.get("/v1/query/dave@example.com", Map.of("X-Api-Key", "wrong-" + API_KEY));
            server.get("/metrics", Map.of("Authorization", "Bearer " + API_KEY));
            server.get("/metrics", Map.of("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    ("prom:" + BASIC_PW).getBytes(StandardCharsets.UTF_8))));
            assertEquals(0, server.stop());
            stdout = server.stdout();
            stderr = server.stderr();
        }
        Files.writeString(Distribution.workDir().resolve("secrets-it.log"), stdout + stderr);
        // the run logged what it should: DEBUG request lines with tags, backend errors, masked headers
        assertTrue(stdout.contains(" DEBUG "), stdout);
        assertTrue(stdout.contains("X-Api-Key: ***") || stdout.contains("x-api-key: ***"), stdout);
        assertTrue(stdout.contains("Authorization: ***") || stdout.contains("authorization: ***"), stdout);
        assertTrue(stdout.contains(" rspamd=Q1234] "), "the Rspamd header tags the request's lines");
        assertTrue(stdout.contains(" rspamd=U77] "), "the body's uid tags the request's lines");
        for (String secret : secrets) {
            assertFalse(stdout.contains(secret), "secret " + secret + " in the log; see secrets-it.log");
            assertFalse(stderr.contains(secret), "secret " + secret + " on stderr; see secrets-it.log");
        }
    }
}
