package xspct.tests.rspamd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;

import xspct.core.codec.JsonCodec;

/**
 * {@code POST /v1/rspamd-settings} over HTTP against two servers: one with the msgpack codec plugin, one without.
 */
class RspamdHttpTest {
    private static final String KEY = "http-test-key";
    private static final String CONFIG = """
            xspct_db_api_key: %s
            xspct_db_queries:
              users:
                db_type: yaml
                search_filter: [aliases]
            xspct_db_yaml_data:
              users:
                alice@ex.test: {mail: [alice@ex.test], aliases: [a@ex.test], greylisting: ["FALSE"], reject_level: ["5"]}
            """.formatted(KEY);

    @TempDir
    static Path dir;
    private static XspctProcess withCodec;
    private static XspctProcess withoutCodec;
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        withCodec = XspctProcess.start(Files.createDirectories(dir.resolve("with")), CONFIG, "yaml", "msgpack");
        withoutCodec = XspctProcess.start(Files.createDirectories(dir.resolve("without")), CONFIG, "yaml");
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (withCodec != null) {
            withCodec.close();
        }
        if (withoutCodec != null) {
            withoutCodec.close();
        }
    }

    private static HttpResponse<byte[]> post(XspctProcess s, String path, byte[] body, String... headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(s.uri(path)).header("X-Api-Key", KEY)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    @Test
    void jsonAnswerWithoutTheCodecPlugin() throws Exception {
        HttpResponse<byte[]> r = post(withoutCodec, "/v1/rspamd-settings",
                "{\"from\": \"x@y.test\", \"rcpts\": [\"a@ex.test\"]}".getBytes(), "Accept", "application/msgpack");
        assertEquals(200, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
        Map<?, ?> doc = (Map<?, ?>) JsonCodec.read(r.body());
        assertEquals(Map.of("greylist", "null", "reject", 13.0), doc.get("actions"));
        // msgpack bodies are unreadable without the plugin
        HttpResponse<byte[]> m = post(withoutCodec, "/v1/rspamd-settings", new byte[] {(byte) 0x80},
                "Content-Type", "application/msgpack");
        assertEquals(400, m.statusCode());
        assertEquals("400 Bad Request", text(m));
        assertTrue(withoutCodec.log().contains("msgpack codec plugin is not installed"), withoutCodec.log());
    }

    @Test
    void msgpackAnswerWithThePlugin() throws Exception {
        MessageBufferPacker p = MessagePack.newDefaultBufferPacker();
        p.packMapHeader(2).packString("from").packString("x@y.test").packString("rcpts").packArrayHeader(1)
                .packString("a@ex.test");
        HttpResponse<byte[]> r = post(withCodec, "/rspamd-settings/v1/", p.toByteArray(), "Content-Type",
                "application/x-msgpack");
        assertEquals(200, r.statusCode(), text(r));
        assertEquals("application/msgpack", r.headers().firstValue("Content-Type").orElseThrow());
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(r.body())) {
            assertEquals(7, u.unpackMapHeader());
            assertEquals("actions", u.unpackString());
            assertEquals(2, u.unpackMapHeader());
            assertEquals("greylist", u.unpackString());
            assertEquals(MessageFormat.FIXSTR, u.getNextFormat()); // str, not bin
            assertEquals("null", u.unpackString());
            assertEquals("reject", u.unpackString());
            assertEquals(MessageFormat.FLOAT64, u.getNextFormat());
            assertEquals(13.0, u.unpackDouble());
        }
        // Accept in textual order wins over the request body's type
        HttpResponse<byte[]> j = post(withCodec, "/v1/rspamd-settings/", p.toByteArray(), "Content-Type",
                "application/msgpack", "Accept", "application/json;q=0.1, application/msgpack");
        assertEquals("application/json", j.headers().firstValue("Content-Type").orElseThrow());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"rcpts\": \"a@ex.test\"}", "{\"rcpts\": [1]}", "{\"from\": null}",
            "{\"rcpts\": [null]}", "{\"uid\": 1}", "{\"settings-id\": {}}", "{\"rcpts\": [", "not json"})
    void wrongTypesAndMalformedBodiesAre400(String body) throws Exception {
        HttpResponse<byte[]> r = post(withCodec, "/v1/rspamd-settings", body.getBytes());
        assertEquals(400, r.statusCode(), body);
        assertEquals("400 Bad Request", text(r));
    }

    @Test
    void malformedOrNonMapMsgpack() throws Exception {
        HttpResponse<byte[]> bad = post(withCodec, "/v1/rspamd-settings", new byte[] {(byte) 0x92, 0x01},
                "Content-Type", "application/msgpack");
        assertEquals(400, bad.statusCode());
        HttpResponse<byte[]> binFrom = post(withCodec, "/v1/rspamd-settings",
                new byte[] {(byte) 0x81, (byte) 0xa4, 'f', 'r', 'o', 'm', (byte) 0xc4, 1, 'x'},
                "Content-Type", "application/msgpack");
        assertEquals(400, binFrom.statusCode(), "bin is not a string");
        HttpResponse<byte[]> list = post(withCodec, "/v1/rspamd-settings", new byte[] {(byte) 0x91, 0x01},
                "Content-Type", "application/msgpack", "Accept", "application/json");
        assertEquals(200, list.statusCode());
        assertEquals("{\"actions\": {}, \"flags\": [], \"groups_disabled\": [], \"symbols_disabled\": [], "
                + "\"symbols\": [], \"settings_data\": {}, \"settings_error\": []}", text(list));
    }

    @Test
    void emptyBodyNullAndManyRecipients() throws Exception {
        for (String body : new String[] {"", "null", "[1, 2]", "\"x\"", "{}"}) {
            HttpResponse<byte[]> r = post(withCodec, "/v1/rspamd-settings", body.getBytes());
            assertEquals(200, r.statusCode(), body);
            assertEquals(Map.of(), ((Map<?, ?>) JsonCodec.read(r.body())).get("settings_data"), body);
        }
        StringBuilder sb = new StringBuilder("{\"from\": \"\", \"mta-name\": null, \"rcpts\": [");
        for (int i = 0; i < 10_000; i++) {
            sb.append(i == 0 ? "" : ", ").append('"').append(i % 3 == 0 ? "a@ex.test" : "u" + i + "@ex.test")
                    .append('"');
        }
        HttpResponse<byte[]> big = post(withCodec, "/v1/rspamd-settings", sb.append("]}").toString().getBytes());
        assertEquals(200, big.statusCode(), text(big));
        assertEquals(Map.of("greylist", "null", "reject", 13.0), ((Map<?, ?>) JsonCodec.read(big.body()))
                .get("actions"));
    }

    @Test
    void authenticationAndMethods() throws Exception {
        HttpResponse<byte[]> noKey = CLIENT.send(HttpRequest.newBuilder(withCodec.uri("/v1/rspamd-settings"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(401, noKey.statusCode());
        HttpResponse<byte[]> get = CLIENT.send(HttpRequest.newBuilder(withCodec.uri("/v1/rspamd-settings/"))
                .header("X-Api-Key", KEY).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(405, get.statusCode());
        assertEquals("POST", get.headers().firstValue("Allow").orElseThrow());
        assertEquals("405: Method Not Allowed", text(get));
    }
}
