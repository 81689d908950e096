package xspct.backends.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import xspct.backend.mysql.CountingMysqlProvider;
import xspct.core.XspctService;
import xspct.server.InProcessServer;

/**
 * An address with surrounding blanks is the address without them, on every endpoint. MySQL's default collations
 * ignore trailing spaces, so the real MariaDB finds the row either way; the batch endpoints attribute rows by
 * address, and used to find nothing.
 */
class TrailingSpaceTest {
    private static final String KEY = "trailing-space-test-key";
    private ExampleDatabase db;
    private XspctService service;

    @BeforeEach
    void start() {
        db = Services.database(0);
        String yaml = """
                xspct_db_api_key: "%s"
                xspct_db_queries:
                  policy:
                    db_type: mysql
                    server: 127.0.0.1
                    port: 3306
                    user: root
                    password: ""
                    database: test
                    query: "SELECT email AS mail, quota_mb FROM %spolicy WHERE email = '%%u'"
                    query_replace: {"%%u": address}
                """.formatted(KEY, db.prefix);
        service = WorkedExample.service(yaml, new CountingMysqlProvider());
    }

    @AfterEach
    void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        if (db != null) {
            db.close();
        }
    }

    @Test
    void everyEndpointAnswersTheTrimmedAddress() throws Exception {
        try (InProcessServer server = InProcessServer.start(service); HttpClient http = HttpClient.newHttpClient()) {
            String base = "http://127.0.0.1:" + server.port();
            HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create(base
                    + "/v1/query/alice@EXAMPLE.ORG%20")).header("X-Api-Key", KEY).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, get.statusCode(), get.body());
            assertTrue(get.body().contains("\"quota_mb\": [\"1024\"]"), get.body());

            HttpResponse<String> batch = post(http, base + "/v1/query-json",
                    "{\"users\": [\"alice@EXAMPLE.ORG \", \" alice@example.org\"]}");
            assertEquals(200, batch.statusCode(), batch.body());
            assertTrue(batch.body().contains("\"alice@EXAMPLE.ORG \": {") && batch.body().contains(
                    "\" alice@example.org\": {") && batch.body().contains("\"quota_mb\": [\"1024\"]"), batch.body());

            HttpResponse<String> rspamd = post(http, base + "/v1/rspamd-settings",
                    "{\"from\": \"\", \"rcpts\": [\"alice@EXAMPLE.ORG \"]}");
            assertEquals(200, rspamd.statusCode(), rspamd.body());
            assertTrue(rspamd.body().contains("1024"), rspamd.body());
        }
    }

    private static HttpResponse<String> post(HttpClient http, String url, String json) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("X-Api-Key", KEY)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
