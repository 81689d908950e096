package xspct.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xspct.api.Backend;
import xspct.api.BackendProvider;
import xspct.api.BackendResult;
import xspct.api.ChangeFeed;
import xspct.api.ChangeFeedContext;
import xspct.api.ChangeFeedStatus;
import xspct.api.ChangeSource;
import xspct.api.LookupRequest;
import xspct.api.QueryContext;
import xspct.core.XspctService;
import xspct.core.config.ConfigFile;
import xspct.core.config.Settings;
import xspct.core.plugin.PluginRegistry;

/** {@code /metrics} in process: values, labels, buckets, authentication, the rendering cache. */
class MetricsServiceTest {
    private static final String KEY = "metrics-test-key";
    private XspctServer server;

    private void start(String extraYaml) {
        String yaml = "xspct_db_listen_address: 127.0.0.1\nxspct_db_listen_port: 0\nxspct_db_api_key: " + KEY + "\n"
                + "xspct_db_stats_enabled: false\n"
                + "xspct_db_queries:\n  noop: {}\n" + extraYaml;
        XspctService service = XspctService.create(Settings.read(ConfigFile.parse("test", yaml)),
                new PluginRegistry(List.of(), Map.of(), List.of(), List.of()));
        server = XspctServer.start(service);
    }

    /** Starts with metrics on and rendered afresh for every scrape, and one backend type answered by a backend. */
    private void startWithBackend(String extraYaml, String dbType, Backend backend) {
        String yaml = "xspct_db_listen_address: 127.0.0.1\nxspct_db_listen_port: 0\nxspct_db_api_key: " + KEY + "\n"
                + "xspct_db_stats_enabled: false\nxspct_db_metrics_enabled: true\nxspct_db_metrics_cache_ttl: 0\n"
                + extraYaml;
        BackendProvider provider = new BackendProvider() {
            @Override
            public String dbType() {
                return dbType;
            }

            @Override
            public Backend create(QueryContext context) {
                return backend;
            }
        };
        XspctService service = XspctService.create(Settings.read(ConfigFile.parse("test", yaml)),
                new PluginRegistry(List.of(), Map.of(dbType, provider), List.of(), List.of()));
        server = XspctServer.start(service);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    record Response(int status, String body, String challenge, String contentType) {
    }

    private Response send(String method, String path, Map<String, String> headers) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + server.port() + path).toURL()
                .openConnection();
        c.setRequestMethod(method);
        headers.forEach(c::setRequestProperty);
        int status = c.getResponseCode();
        InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream();
        String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        return new Response(status, body, c.getHeaderField("WWW-Authenticate"), c.getContentType());
    }

    private static double value(String text, String sample) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(sample) + " (\\S+)$").matcher(text);
        assertTrue(m.find(), "no sample " + sample + " in\n" + text);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void disabledMetricsAreNotFound() throws IOException {
        start("");
        assertEquals(404, send("GET", "/metrics", Map.of()).status());
    }

    @Test
    void countsRequestsPerRouteAndStatus() throws IOException {
        start("xspct_db_metrics_enabled: true\nxspct_db_metrics_cache_ttl: 0\n");
        for (int i = 0; i < 3; i++) {
            assertEquals(200, send("GET", "/v1/query/a" + i + "@example.org", Map.of("X-Api-Key", KEY)).status());
        }
        assertEquals(401, send("GET", "/v1/query/x@example.org", Map.of()).status());
        assertEquals(404, send("GET", "/nowhere", Map.of()).status());
        assertEquals(200, send("GET", "/ping", Map.of()).status());

        Response r = send("GET", "/metrics", Map.of());
        assertEquals(200, r.status(), r.body());
        assertEquals(MetricsService.CONTENT_TYPE, r.contentType());
        String t = r.body();
        assertEquals(4.0, value(t, "xspct_db_requests_total"));
        assertEquals(3.0, value(t, "xspct_db_requests_unknown_total"));
        assertEquals(3.0, value(t, "xspct_db_query_requests_total{query=\"noop\",}"));
        assertEquals(3.0, value(t, "http_requests_total{method=\"GET\",route=\"/v1/query/{user}\",status=\"200\",}"));
        assertEquals(1.0, value(t, "http_requests_total{method=\"GET\",route=\"/v1/query/{user}\",status=\"401\",}"));
        assertEquals(1.0, value(t, "http_requests_total{method=\"GET\",route=\"<unmatched>\",status=\"404\",}"));
        assertEquals(1.0, value(t, "http_requests_total{method=\"GET\",route=\"/ping\",status=\"200\",}"));
        for (String le : List.of("0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0", "10.0",
                "+Inf")) {
            value(t, "http_request_duration_seconds_bucket{method=\"GET\",route=\"/ping\",le=\"" + le + "\",}");
        }
        assertEquals(4.0, value(t, "http_request_duration_seconds_count{method=\"GET\",route=\"/v1/query/{user}\",}"));
        assertEquals(3.0, value(t, "xspct_db_request_duration_seconds_count{endpoint=\"query\",status=\"200\",}"));
        assertTrue(t.contains("\nhttp_requests_in_flight "), t);
        assertTrue(t.contains("\nevent_loop_lag_seconds "), t);
        assertTrue(t.contains("\nxspct_db_prefilter_domain_count 0.0"), t);
        assertTrue(t.contains("\nxspct_db_slots_limit{kind=\"foreground\",} 30.0"), t);
        assertTrue(t.contains("\nprocess_cpu_seconds_total "), t);
        assertTrue(t.contains("\njvm_memory_used_bytes{"), t);
        assertFalse(t.contains("scope="), "no Helidon scope label");
        assertFalse(t.contains("route=\"/metrics"), "scrapes are not measured");

        Response head = send("HEAD", "/metrics/", Map.of());
        assertEquals(200, head.status());
        assertEquals("", head.body());
        assertEquals(405, send("POST", "/metrics", Map.of()).status());
    }

    @Test
    void countsFailedQueryCalls() throws IOException {
        startWithBackend("xspct_db_queries:\n  broken: {db_type: failing}\n  fine: {}\n", "failing",
                requests -> BackendResult.failed("backend down"));
        send("GET", "/v1/query/a@example.org", Map.of("X-Api-Key", KEY));
        send("GET", "/v1/query/b@example.org", Map.of("X-Api-Key", KEY));

        String t = send("GET", "/metrics", Map.of()).body();
        assertEquals(2.0, value(t, "xspct_db_query_errors_total{query=\"broken\",}"));
        assertEquals(2.0, value(t, "xspct_db_query_requests_total{query=\"broken\",}"));
        assertEquals(0.0, value(t, "xspct_db_query_errors_total{query=\"fine\",}"));
    }

    /** A backend whose change feed is in the state the test sets. */
    record FeedingBackend(AtomicReference<String> state) implements Backend, ChangeSource {
        @Override
        public BackendResult lookup(List<LookupRequest> requests) {
            return BackendResult.of(List.of());
        }

        @Override
        public ChangeFeed startChangeFeed(ChangeFeedContext context) {
            return new ChangeFeed() {
                @Override
                public ChangeFeedStatus status() {
                    String s = state.get();
                    return new ChangeFeedStatus(s, "test", null, null, null, null,
                            s.equals("disconnected") ? "connection refused" : null);
                }

                @Override
                public void close() {
                }
            };
        }
    }

    @Test
    void changeFeedStateIsOneSeriesPerStateWithTheCurrentOneSet(@TempDir Path stateDir) throws IOException {
        AtomicReference<String> state = new AtomicReference<>("follower");
        startWithBackend("xspct_db_change_feed: {enabled: true, state_dir: '" + stateDir + "'}\n"
                + "xspct_db_queries:\n  policy: {db_type: feeding, change_feed: {table: policy}}\n", "feeding",
                new FeedingBackend(state));

        String t = send("GET", "/metrics", Map.of()).body();
        for (String s : ServiceMeters.CHANGE_FEED_STATES) {
            assertEquals(s.equals("follower") ? 1.0 : 0.0,
                    value(t, "xspct_db_change_feed_state{query=\"policy\",state=\"" + s + "\",}"), s);
        }
        assertEquals(0.0, value(t, "xspct_db_change_feed_leader{query=\"policy\",}"));

        state.set("disconnected");
        t = send("GET", "/metrics", Map.of()).body();
        assertEquals(1.0, value(t, "xspct_db_change_feed_state{query=\"policy\",state=\"disconnected\",}"));
        assertEquals(0.0, value(t, "xspct_db_change_feed_state{query=\"policy\",state=\"follower\",}"));

        state.set("leader");
        t = send("GET", "/metrics", Map.of()).body();
        assertEquals(1.0, value(t, "xspct_db_change_feed_state{query=\"policy\",state=\"leader\",}"));
        assertEquals(1.0, value(t, "xspct_db_change_feed_leader{query=\"policy\",}"));
    }

    @Test
    void renderingIsCachedForTheTtl() throws IOException {
        start("xspct_db_metrics_enabled: true\nxspct_db_metrics_cache_ttl: 3600\n");
        String first = send("GET", "/metrics", Map.of()).body();
        send("GET", "/v1/query/a@example.org", Map.of("X-Api-Key", KEY));
        assertEquals(first, send("GET", "/metrics", Map.of()).body());
    }

    @Test
    void authenticationAcceptsApiKeyBearerAndBasic() throws IOException {
        start("xspct_db_metrics_enabled: true\n"
                + "xspct_db_metrics_auth:\n  enabled: true\n  basic_auth_users:\n    prom: s3cret:x\n");
        Response refused = send("GET", "/metrics", Map.of());
        assertEquals(401, refused.status());
        assertEquals("401 Unauthorized", refused.body());
        assertEquals("Basic realm=\"xspct-db metrics\", charset=\"UTF-8\"", refused.challenge());
        assertEquals(401, send("GET", "/metrics", Map.of("X-Api-Key", "wrong")).status());
        assertEquals(200, send("GET", "/metrics", Map.of("X-Api-Key", KEY)).status());
        assertEquals(200, send("GET", "/metrics", Map.of("Authorization", "Bearer " + KEY)).status());
        assertEquals(200, send("GET", "/metrics", Map.of("Authorization", basic("prom:s3cret:x"))).status());
        assertEquals(401, send("GET", "/metrics", Map.of("Authorization", basic("prom:s3cret"))).status());
        assertEquals(401, send("GET", "/metrics", Map.of("Authorization", basic("other:s3cret:x"))).status());
        assertEquals(401, send("GET", "/metrics", Map.of("Authorization", "basic " + basic("prom:s3cret:x")
                .substring(6))).status(), "the Basic prefix is case-sensitive");
        assertNotEquals(200, send("GET", "/metrics", Map.of("Authorization", "Basic !!!")).status());
    }

    @Test
    void basicOnlyRefusesTheApiKey() throws IOException {
        start("xspct_db_metrics_enabled: true\n"
                + "xspct_db_metrics_auth:\n  enabled: true\n  api_key: false\n  basic_auth_users: {prom: pw}\n");
        assertEquals(401, send("GET", "/metrics", Map.of("X-Api-Key", KEY)).status());
        assertEquals(200, send("GET", "/metrics", Map.of("Authorization", basic("prom:pw"))).status());
    }

    @Test
    void meterRegistrationDuringGarbageCollectionDoesNotDeadlock() throws IOException {
        start("xspct_db_metrics_enabled: true\nxspct_db_metrics_cache_ttl: 0\n");
        // GC notifications register Micrometer meters while requests register Helidon meters (lock order)
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Thread gc = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 30; i++) {
                    System.gc();
                }
            });
            for (int i = 0; i < 40; i++) {
                send("GET", "/v1/query/a" + i + "@example.org", Map.of("X-Api-Key", i % 2 == 0 ? KEY : "x"));
                send(i % 3 == 0 ? "HEAD" : "GET", "/ping" + (i % 4 == 0 ? "/" : ""), Map.of());
                send("GET", "/metrics", Map.of());
            }
            gc.join();
        });
        // gauges survive garbage collection (Micrometer holds their state weakly)
        String t = send("GET", "/metrics", Map.of()).body();
        assertEquals(30.0, value(t, "xspct_db_slots_limit{kind=\"foreground\",}"));
        assertEquals(0.0, value(t, "xspct_db_slots_in_use{kind=\"foreground\",}"));
        assertEquals(0.0, value(t, "http_requests_in_flight"));
    }

    private static String basic(String userPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userPassword.getBytes(StandardCharsets.UTF_8));
    }
}
