package xspct.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import xspct.api.CacheContext;
import xspct.api.CacheTier;
import xspct.api.CacheTierProvider;
import xspct.api.Invalidation;
import xspct.api.testing.NoopCacheTier;
import xspct.core.XspctService;
import xspct.core.config.ConfigFile;
import xspct.core.config.Settings;
import xspct.core.plugin.PluginRegistry;

/** POST /v1/cache/invalidate over HTTP against a recording cache tier. */
class CacheServiceTest {
    private static final String KEY = "test-key-123";

    /** A tier that records what it was asked to invalidate. */
    static final class RecordingTier extends NoopCacheTier {
        final List<String> calls = new ArrayList<>();

        @Override
        public synchronized void invalidate(Collection<String> addresses) {
            calls.add("invalidate " + addresses);
        }

        @Override
        public synchronized void invalidateAll() {
            calls.add("all");
        }
    }

    private final RecordingTier tier = new RecordingTier();
    private final List<Invalidation> heard = new ArrayList<>();

    /** A response: status, body, headers (java.net.http is not read by this module, so plain URL connections). */
    record Response(int statusCode, String body, Map<String, List<String>> headers) {
        String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (name.equalsIgnoreCase(e.getKey())) {
                    return e.getValue().get(0);
                }
            }
            return "";
        }
    }
    private XspctServer server;

    private void start(String extraYaml) {
        String yaml = "xspct_db_listen_address: 127.0.0.1\nxspct_db_listen_port: 0\nxspct_db_api_key: " + KEY + "\n"
                + extraYaml;
        CacheTierProvider p = new CacheTierProvider() {
            @Override
            public String name() {
                return "recording";
            }

            @Override
            public String configKey() {
                return "recording_cache";
            }

            @Override
            public int level() {
                return 1;
            }

            @Override
            public Optional<CacheTier> create(CacheContext context) {
                return Optional.of(tier);
            }
        };
        XspctService service = XspctService.create(Settings.read(ConfigFile.parse("test", yaml)),
                new PluginRegistry(List.of(), Map.of(), List.of(p), List.of()));
        service.addInvalidationListener(heard::add);
        server = XspctServer.start(service);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    private Response send(String method, String path, String key, String body) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + server.port() + path).toURL()
                .openConnection();
        c.setRequestMethod(method);
        if (key != null) {
            c.setRequestProperty("X-Api-Key", key);
        }
        if (body != null) {
            c.setDoOutput(true);
            c.setRequestProperty("Content-Type", "application/json");
            try (OutputStream out = c.getOutputStream()) {
                out.write(body.getBytes(StandardCharsets.UTF_8));
            }
        }
        int status = c.getResponseCode();
        InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
        String text = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        return new Response(status, text, c.getHeaderFields());
    }

    private Response post(String path, String key, String body) throws IOException {
        return send("POST", path, key, body);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/v1/cache/invalidate", "/v1/cache/invalidate/"})
    void invalidatesAddresses(String path) throws Exception {
        start("");
        Response r = post(path, KEY, "{\"users\": [\"a@example.org\", \"b@example.org\", "
                + "\"a@example.org\"]}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("application/json", r.header("Content-Type"));
        assertEquals("{\"invalidated\": 2}", r.body());
        assertEquals(List.of("invalidate [a@example.org, b@example.org]"), tier.calls);
        assertEquals(List.of(Invalidation.of(List.of("a@example.org", "b@example.org"))), heard,
                "listeners (response cache hook) are told");
    }

    /** A body is read whole whether its length is declared or it comes in chunks, small or over 16 KiB. */
    @ParameterizedTest(name = "{0} addresses, chunked: {1}")
    @CsvSource({"1, false", "1, true", "2000, false", "2000, true"})
    void bodiesArriveWholeWithOrWithoutALength(int count, boolean chunked) throws Exception {
        start("");
        List<String> addresses = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            addresses.add("user" + i + "@example.org");
        }
        byte[] body = ("{\"users\": [\"" + String.join("\", \"", addresses) + "\"]}")
                .getBytes(StandardCharsets.UTF_8);
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + server.port()
                + "/v1/cache/invalidate").toURL().openConnection();
        c.setRequestMethod("POST");
        c.setRequestProperty("X-Api-Key", KEY);
        c.setDoOutput(true);
        if (chunked) {
            c.setChunkedStreamingMode(1000);
        } else {
            c.setFixedLengthStreamingMode(body.length);
        }
        try (OutputStream out = c.getOutputStream()) {
            out.write(body);
        }
        assertEquals(200, c.getResponseCode());
        assertEquals("{\"invalidated\": " + count + "}", new String(c.getInputStream().readAllBytes(),
                StandardCharsets.UTF_8));
        assertEquals(List.of("invalidate " + addresses), tier.calls);
    }

    @Test
    void invalidatesEverything() throws Exception {
        start("");
        Response r = post("/v1/cache/invalidate", KEY, "{\"all\": true}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("{\"all\": true}", r.body());
        assertEquals(List.of("all"), tier.calls);
        assertEquals(List.of(Invalidation.everything()), heard);
    }

    @Test
    void needsAValidKeyEvenInPermissiveMode() throws Exception {
        start("xspct_db_api_key_verify_fail: false\n");
        assertEquals(401, post("/v1/cache/invalidate", null, "{\"all\": true}").statusCode());
        assertEquals(401, post("/v1/cache/invalidate", "wrong", "{\"all\": true}").statusCode());
        assertEquals(401, post("/v1/cache/invalidate", "t\u00e9st", "{\"all\": true}").statusCode());
        assertTrue(tier.calls.isEmpty());
    }

    @ParameterizedTest(name = "[{index}] body <{0}>")
    @ValueSource(strings = {"", "not json secret-token-xyz", "[]", "{}", "{\"users\": \"a@example.org\"}",
        "{\"users\": [1]}", "{\"users\": [\"\"]}", "{\"all\": \"yes\"}", "{\"all\": false}",
        "{\"all\": true, \"users\": []}", "{\"user\": [\"secret-token-xyz\"]}"})
    void badBodiesAre400NamingNothingSecret(String body) throws Exception {
        start("");
        Response r = post("/v1/cache/invalidate", KEY, body);
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().startsWith("400 Bad Request"), r.body());
        assertFalse(r.body().contains("secret-token-xyz"), r.body());
        assertTrue(tier.calls.isEmpty());
    }

    @Test
    void otherMethodsAre405() throws Exception {
        start("");
        Response r = send("GET", "/v1/cache/invalidate", KEY, null);
        assertEquals(405, r.statusCode());
        assertEquals("POST", r.header("Allow"));
    }

    @Test
    void theChangeFeedStatusNeedsTheKeyEvenWhenPermissive() throws IOException {
        start("xspct_db_api_key_verify_fail: false\n");
        assertEquals(401, send("GET", "/v1/change-feed", null, null).statusCode());
        Response r = send("GET", "/v1/change-feed", KEY, null);
        assertEquals(200, r.statusCode());
        assertEquals("{\"enabled\": false, \"sources\": []}", r.body());
        assertEquals("GET", send("POST", "/v1/change-feed", KEY, "{}").header("Allow"));
    }
}
