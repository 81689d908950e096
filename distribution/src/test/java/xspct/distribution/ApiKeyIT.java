package xspct.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * API keys on the query endpoints (SPEC 11) through the released server.
 */
class ApiKeyIT {
    private static final String DATA = """
            xspct_db_queries:
              users:
                db_type: yaml
            xspct_db_yaml_data:
              users:
                carol@example.com:
                  mail: carol@example.com
            """;

    @Test
    void wrongOrMissingKeyIsUnauthorized() {
        Distribution dist = Distribution.shared();
        String config = Distribution.TEST_LISTENER + "xspct_db_api_key: [first-key, second-key]\n" + DATA;
        try (RunningServer server = RunningServer.start(dist, dist.writeConfig("keys.yml", config))) {
            HttpResponse<String> wrong = server.get("/v1/query/carol@example.com", Map.of("X-Api-Key", "nope"));
            assertEquals(401, wrong.statusCode());
            assertEquals("401 Unauthorized", wrong.body());

            HttpResponse<String> missing = server.get("/v1/query/carol@example.com", Map.of());
            assertEquals(401, missing.statusCode());
            assertEquals("401 Unauthorized", missing.body());

            HttpResponse<String> batch = server.post("/v1/query-json", "{\"users\": [\"carol@example.com\"]}",
                    Map.of("X-Api-Key", "first"));
            assertEquals(401, batch.statusCode());

            // any configured key passes; header names are case-insensitive
            HttpResponse<String> second = server.get("/v1/query/carol@example.com", Map.of("x-api-key", "second-key"));
            assertEquals(200, second.statusCode(), second.body());
            assertEquals("{\"users\": {\"carol@example.com\": {\"mail\": [\"carol@example.com\"]}}}", second.body());

            // health endpoints need no key
            assertEquals(200, server.get("/ping", Map.of()).statusCode());
        }
    }

    @Test
    void permissiveModeAnswersWithoutKeyAndWarnsAtStart() {
        Distribution dist = Distribution.shared();
        String config = Distribution.TEST_LISTENER + "xspct_db_api_key: some-key\n"
                + "xspct_db_api_key_verify_fail: false\n" + DATA;
        try (RunningServer server = RunningServer.start(dist, dist.writeConfig("permissive.yml", config))) {
            HttpResponse<String> r = server.get("/v1/query/carol@example.com", Map.of());
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.body().contains("carol@example.com"), r.body());
            assertTrue(server.stdout().lines().anyMatch(l -> l.contains("WARNING")
                    && l.contains("xspct_db_api_key_verify_fail: is false")), server.stdout());
        }
    }
}
