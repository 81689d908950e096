package xspct.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code /metrics} of the released server (runtime image with the converted metrics modules): the whole scrape
 * parsed strictly, checked by Prometheus' own {@code promtool}, values of the original's metrics after known
 * requests, and the metrics authentication.
 */
class MetricsIT {
    private static final String KEY = "metrics-it-key";
    private static final String USER = "prometheus";
    private static final String PASSWORD = "scrape-pw:42";
    private static final String CONFIG = Distribution.TEST_LISTENER + """
            xspct_db_api_key: metrics-it-key
            xspct_db_metrics_enabled: true
            xspct_db_metrics_cache_ttl: 0
            xspct_db_metrics_auth:
              enabled: true
              basic_auth_users:
                prometheus: "scrape-pw:42"
            xspct_db_queries:
              users:
                db_type: yaml
            xspct_db_yaml_data:
              users:
                carol@example.com:
                  mail: carol@example.com
            """;
    /** Lint findings of promtool about names the original prescribes (kept for existing dashboards). */
    private static final List<String> PRESCRIBED_NAMES = List.of("xspct_db_prefilter_domain_count ");

    @Test
    void scrapeAfterKnownRequests() throws Exception {
        Distribution dist = Distribution.shared();
        try (RunningServer server = RunningServer.start(dist, dist.writeConfig("metrics.yml", CONFIG))) {
            Map<String, String> key = Map.of("X-Api-Key", KEY);
            for (int i = 0; i < 3; i++) {
                assertEquals(200, server.get("/v1/query/carol@example.com", key).statusCode());
            }
            for (int i = 0; i < 2; i++) {
                assertEquals(200, server.get("/v1/query/nobody" + i + "@example.com", key).statusCode());
            }
            assertEquals(401, server.get("/v1/query/carol@example.com", Map.of()).statusCode());
            assertEquals(200, server.post("/v1/query-json", "{\"users\": [\"carol@example.com\"]}", key)
                    .statusCode());
            assertEquals(200, server.get("/ping", Map.of()).statusCode());
            assertEquals(404, server.get("/no/such/path", Map.of()).statusCode());

            HttpResponse<String> r = server.get("/metrics", key);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("text/plain; version=0.0.4; charset=utf-8",
                    r.headers().firstValue("Content-Type").orElse(""));
            String text = r.body();
            Files.writeString(Distribution.workDir().resolve("metrics-scrape.txt"), text);

            PrometheusText t = PrometheusText.parse(text); // the whole output, strictly
            promtool(text);

            // as the original: GET lookups only, 401 included
            assertEquals(6.0, t.value("xspct_db_requests_total"));
            assertEquals(3.0, t.value("xspct_db_requests_known_total"));
            assertEquals(2.0, t.value("xspct_db_requests_unknown_total"));
            assertEquals("counter", t.families().get("xspct_db_requests_total").type());
            assertEquals(5.0, t.value("http_requests_total", "method", "GET", "route", "/v1/query/{user}",
                    "status", "200"));
            assertEquals(1.0, t.value("http_requests_total", "method", "GET", "route", "/v1/query/{user}",
                    "status", "401"));
            assertEquals(1.0, t.value("http_requests_total", "method", "POST", "route", "/v1/query-json",
                    "status", "200"));
            assertEquals(1.0, t.value("http_requests_total", "method", "GET", "route", "<unmatched>",
                    "status", "404"));
            assertEquals("histogram", t.families().get("http_request_duration_seconds").type());
            for (String le : List.of("0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0",
                    "10.0", "+Inf")) {
                t.value("http_request_duration_seconds_bucket", "method", "GET", "route", "/v1/query/{user}",
                        "le", le);
            }
            assertEquals(6.0, t.value("http_request_duration_seconds_count", "method", "GET", "route",
                    "/v1/query/{user}"));
            assertTrue(t.value("xspct_db_query_requests_total", "query", "users") >= 1);
            assertTrue(t.value("xspct_db_query_duration_seconds_total", "query", "users") > 0);
            assertTrue(t.value("xspct_db_query_latency_seconds_count", "query", "users") >= 1);
            assertEquals(0.0, t.value("xspct_db_prefilter_domain_count"));
            assertEquals(0.0, t.value("http_requests_in_flight"), "the scrape itself is not measured");
            t.value("event_loop_lag_seconds");
            assertTrue(t.value("process_cpu_seconds_total") > 0);
            assertTrue(t.value("process_resident_memory_bytes") > 0);
            assertFalse(t.samples("jvm_memory_used_bytes").isEmpty());
            assertTrue(t.samples("xspct_db_requests_total").get(0).labels().isEmpty(), "no extra labels");
            assertTrue(t.samples("http_requests_total").stream().noneMatch(s -> s.labels().get("route")
                    .startsWith("/metrics")), "scrapes are not measured");
        }
    }

    @Test
    void authentication() {
        Distribution dist = Distribution.shared();
        try (RunningServer server = RunningServer.start(dist, dist.writeConfig("metrics-auth.yml", CONFIG))) {
            HttpResponse<String> refused = server.get("/metrics", Map.of());
            assertEquals(401, refused.statusCode());
            assertEquals("401 Unauthorized", refused.body());
            assertEquals("Basic realm=\"xspct-db metrics\", charset=\"UTF-8\"",
                    refused.headers().firstValue("WWW-Authenticate").orElse(""));
            assertEquals(401, server.get("/metrics", Map.of("X-Api-Key", "wrong")).statusCode());
            assertEquals(401, server.get("/metrics", Map.of("Authorization", basic(USER, "wrong"))).statusCode());
            assertEquals(200, server.get("/metrics", Map.of("X-Api-Key", KEY)).statusCode());
            assertEquals(200, server.get("/metrics", Map.of("Authorization", "Bearer " + KEY)).statusCode());
            HttpResponse<String> basic = server.get("/metrics/", Map.of("Authorization", basic(USER, PASSWORD)));
            assertEquals(200, basic.statusCode());
            assertTrue(basic.body().contains("\nxspct_db_requests_total "), basic.body());
        }
    }

    @Test
    void disabledMetricsAnswer404() {
        Distribution dist = Distribution.shared();
        String config = Distribution.TEST_LISTENER + "xspct_db_api_key: k\n";
        try (RunningServer server = RunningServer.start(dist, dist.writeConfig("no-metrics.yml", config))) {
            assertEquals(404, server.get("/metrics", Map.of()).statusCode());
        }
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Prometheus' own linter must parse the scrape (exit 1 = parse error) and find nothing but the names the original
     * prescribes. Missing promtool skips this part on a developer machine and fails under CI=true.
     */
    private static void promtool(String text) throws Exception {
        Path promtool = Path.of("/usr/bin/promtool");
        if (!Files.isExecutable(promtool)) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("promtool is missing (Debian package 'prometheus'; .ci/run installs it)");
            }
            Assumptions.abort("promtool is not installed (apt-get install prometheus): scrape not checked by it");
        }
        Path file = Distribution.workDir().resolve("metrics-promtool.txt");
        Files.writeString(file, text);
        ProcessBuilder pb = new ProcessBuilder(promtool.toString(), "check", "metrics")
                .redirectInput(file.toFile()).redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        assertNotEquals(1, rc, "promtool cannot parse the scrape:\n" + out);
        for (String line : out.lines().toList()) {
            assertTrue(PRESCRIBED_NAMES.stream().anyMatch(line::startsWith), "promtool: " + line + "\n" + out);
        }
    }
}
