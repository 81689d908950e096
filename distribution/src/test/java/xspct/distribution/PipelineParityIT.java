package xspct.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The lookup pipeline over HTTP against the real server of an unpacked release: endpoints and their legacy paths,
 * status codes and bodies, L1 cache keying, merged queries, a use_result chain, wildcard queries in both modes,
 * rewrite rules, the prefilter states and bad input. Configurations follow the original's examples.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineParityIT {
    private static final Map<String, String> KEY = Map.of("X-Api-Key", "k2");
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static final String MAIN = Distribution.TEST_LISTENER + """
            xspct_db_api_key: [k1, k2]
            xspct_db_client_max_size: 20000
            xspct_db_query_json_max_users: 3
            xspct_db_queries:
              users: {db_type: yaml, search_filter: [aliases]}
              extra: {db_type: yaml}
              domains:
                db_type: yaml
                yaml_root: domaindata
                primary_key: domain
                use_result: true
                result_object_attr: domain
              wild_sub: {db_type: yaml, yaml_root: wild, wildcard_domain_query: true}
              wild_match:
                db_type: yaml
                yaml_root: wildm
                wildcard_domain_query: true
                wildcard_key_pattern: '@([^.]+)\\.org$'
            xspct_db_rewrite_rules:
              - {pattern: '^(?P<lp>[^@]+)@old\\.example$', replacement: '\\g<lp>@example.org'}
              - {pattern: '^([^@]+)@legacy\\.example$', replacement: '\\1@catchall.example'}
            xspct_db_yaml_data:
              users:
                alice@example.org:
                  mail: alice@example.org
                  aliases: [a@example.org, b+tag@example.org]
                  domain: example.org
                  uid: alice
                bob@example.org: {mail: bob@example.org, uid: 1000, active: yes}
              extra:
                bob@example.org: {mail: bob@example.org, uid: bob2, quota: 100}
              domaindata:
                example.org: {domain: example.org, policy: strict}
              wild:
                '@catchall.example': {mail: '@catchall.example', catchall: 'yes'}
              wildm:
                corp: {mail: corp, tier: gold}
            """;
    private static final String ALICE = "{\"mail\": [\"alice@example.org\"], \"aliases\": [\"a@example.org\", "
            + "\"b+tag@example.org\"], \"domain\": [\"example.org\"], \"uid\": [\"alice\"], \"policy\": [\"strict\"]}";
    private static final String BOB = "{\"mail\": [\"bob@example.org\"], \"uid\": [\"1000\", \"bob2\"], "
            + "\"active\": [\"True\"], \"quota\": [\"100\"]}";

    private static RunningServer main;

    @BeforeAll
    static void start() {
        Distribution dist = Distribution.shared();
        main = RunningServer.start(dist, dist.writeConfig("parity-main.yml", MAIN));
    }

    @AfterAll
    static void stop() {
        if (main != null) {
            main.close();
        }
    }

    @Test
    @Order(1) // the first lookup of alice: every other test may warm the cache
    void coldAliasIsKeyedByPrimaryKeyWarmByTheAliasAndQueriesAreMergedAndChained() {
        HttpResponse<String> cold = main.get("/v1/query/a@example.org", KEY);
        assertEquals(200, cold.statusCode());
        assertEquals("application/json", cold.headers().firstValue("Content-Type").orElse(""));
        assertEquals("{\"users\": {\"alice@example.org\": " + ALICE + "}}", cold.body());
        HttpResponse<String> warm = main.get("/v1/query/a@example.org/", KEY);
        assertEquals("{\"users\": {\"a@example.org\": " + ALICE + "}}", warm.body());
        assertEquals("{\"users\": {\"b+tag@example.org\": " + ALICE + "}}",
                main.get("/query/v1/b+tag@example.org", KEY).body(), "+ is not a space");
        assertEquals("{\"users\": {\"a@example.org\": " + ALICE + "}}",
                main.get("/query/v1/a%40example.org/", KEY).body(), "percent-decoded");
    }

    @Test
    void yamlScalarsBecomeListsOfStringsAndQueriesMerge() {
        assertEquals("{\"users\": {\"bob@example.org\": " + BOB + "}}",
                main.get("/v1/query/bob@example.org", KEY).body());
    }

    @Test
    void unknownAddressAnswersEmptyUsers() {
        assertEquals("{\"users\": {}}", main.get("/v1/query/nobody@nowhere.test", KEY).body());
        assertEquals("{\"users\": {}}", main.get("/v1/query/nobody@nowhere.test", KEY).body());
    }

    @Test
    void rewriteAnswersUnderTheOriginalAddress() {
        HttpResponse<String> r = main.post("/v1/query-json/", "{\"users\": [\"alice@old.example\"]}", KEY);
        assertEquals("{\"users\": {\"alice@old.example\": " + ALICE + "}}", r.body());
    }

    @Test
    void wildcardSubstitutionModeAfterRewrite() {
        assertEquals("{\"users\": {\"zed@legacy.example\": {\"mail\": [\"@catchall.example\"], "
                + "\"catchall\": [\"yes\"]}}}", main.get("/v1/query/zed@legacy.example", KEY).body());
        assertEquals("{\"users\": {\"zed@legacy.example\": {\"mail\": [\"@catchall.example\"], "
                + "\"catchall\": [\"yes\"]}}}",
                main.post("/query-json/v1", "{\"users\": [\"zed@legacy.example\"]}", KEY).body());
    }

    @Test
    void wildcardMatchModeUsesGroupOne() {
        assertEquals("{\"users\": {\"dave@corp.org\": {\"mail\": [\"corp\"], \"tier\": [\"gold\"]}}}",
                main.get("/v1/query/dave@corp.org", KEY).body());
    }

    @Test
    void queryJsonAnswersFoundAddressesOnlyUnderTheRequestedSpelling() {
        HttpResponse<String> r = main.post("/v1/query-json",
                "{\"users\": [\"bob@example.org\", \"nobody@nowhere.test\", \"bob@example.org\"]}", KEY);
        assertEquals(200, r.statusCode());
        assertEquals("{\"users\": {\"bob@example.org\": " + BOB + "}}", r.body());
        assertEquals("{\"users\": {}}", main.post("/v1/query-json", "", KEY).body(), "empty body counts as {}");
        assertEquals("{\"users\": {}}", main.post("/v1/query-json", "[1, 2]", KEY).body());
        assertEquals("{\"users\": {}}", main.post("/v1/query-json",
                "{\"users\": [\"" + "x".repeat(10_000) + "@example.org\"]}", KEY).body());
    }

    @Test
    void statusCodesAndBodiesAsTheOriginal() {
        assertEquals(401, main.get("/v1/query/a@example.org", Map.of()).statusCode());
        assertEquals("401 Unauthorized", main.get("/v1/query/a@example.org", Map.of("X-Api-Key", "k3")).body());
        assertEquals(200, main.get("/v1/query/a@example.org", Map.of("x-api-key", "k1")).statusCode());
        HttpResponse<String> many = main.post("/v1/query-json", "{\"users\": [\"a\", \"b\", \"c\", \"a\"]}", KEY);
        assertEquals(400, many.statusCode());
        assertEquals("400 Bad Request: too many users", many.body());
        for (String bad : new String[] {"{", "{\"users\": \"a@example.org\"}", "{\"users\": [1]}",
            "{\"users\": [null]}", "{\"users\": [\"a\"]} trailing"}) {
            HttpResponse<String> r = main.post("/v1/query-json", bad, KEY);
            assertEquals(400, r.statusCode(), bad);
            assertEquals("400 Bad Request", r.body(), bad);
        }
        byte[] invalidUtf8 = {'{', '"', 'u', 's', 'e', 'r', 's', '"', ':', '[', '"', (byte) 0xc3, '(', '"', ']', '}'};
        assertEquals(400, postBytes("/v1/query-json", invalidUtf8).statusCode());
        assertEquals(413, postBytes("/v1/query-json", new byte[30_000]).statusCode());
        HttpResponse<String> notAllowed = main.post("/v1/query/a@example.org", "{}", KEY);
        assertEquals(405, notAllowed.statusCode());
        assertEquals("405: Method Not Allowed", notAllowed.body());
        assertEquals("GET", notAllowed.headers().firstValue("Allow").orElse(""));
        assertEquals("404: Not Found", main.get("/v2/query/a@example.org", KEY).body());
        assertEquals("Hello, world", main.get("/", Map.of()).body());
        assertEquals("Pong", main.get("/ping/", Map.of()).body());
    }

    @Test
    void malformedPathsAndHugeAddressesNeverGive500() throws IOException {
        assertEquals(400, rawStatus("GET /v1/query/%zz HTTP/1.1"));
        assertEquals(200, rawStatus("GET /v1/query/" + "a".repeat(5000) + "@example.org HTTP/1.1"));
        assertEquals("Pong", main.get("/ping", Map.of()).body(), "still healthy");
    }

    @Test
    void backendErrorTextIsThe500Body() {
        Distribution dist = Distribution.shared();
        try (RunningServer s = RunningServer.start(dist, dist.writeConfig("parity-error.yml",
                Distribution.TEST_LISTENER + """
                xspct_db_api_key: k2
                xspct_db_queries:
                  ok: {db_type: yaml}
                  broken: {db_type: error}
                xspct_db_yaml_data: {ok: {a@x.test: {mail: a@x.test}}}
                """))) {
            HttpResponse<String> get = s.get("/v1/query/a@x.test", KEY);
            assertEquals(500, get.statusCode());
            assertEquals("500 raise custom error", get.body());
            assertEquals("500 raise custom error", s.post("/v1/query-json", "{\"users\": [\"a@x.test\"]}", KEY)
                    .body());
        }
    }

    @Test
    void prefilterDomainFileReloadsAndMinDomainsKeepsTheLastGoodSet() throws Exception {
        Distribution dist = Distribution.shared();
        Path domains = Files.createTempFile(dist.home(), "domains", ".txt");
        Files.writeString(domains, "# allowed\nexample.org\nother.test\n");
        String yaml = Distribution.TEST_LISTENER + """
                xspct_db_api_key: k2
                xspct_db_prefilter: {enabled: true}
                xspct_db_prefilter_domains:
                  enabled: true
                  inline: [inline.test]
                  file: '%s'
                  file_reload_interval: 0.2
                  min_domains: 2
                xspct_db_queries: {users: {db_type: yaml}}
                xspct_db_yaml_data:
                  users:
                    a@example.org: {mail: a@example.org}
                    a@other.test: {mail: a@other.test}
                    a@late.test: {mail: a@late.test}
                """.formatted(domains);
        try (RunningServer s = RunningServer.start(dist, dist.writeConfig("parity-prefilter.yml", yaml))) {
            assertEquals("{\"users\": {\"a@example.org\": {\"mail\": [\"a@example.org\"]}}}",
                    s.get("/v1/query/a@example.org", KEY).body());
            assertEquals("{\"users\": {}}", s.get("/v1/query/a@late.test", KEY).body(), "not in the set");
            rewrite(domains, "late.test\nexample.org\n");
            awaitBody(() -> s.get("/v1/query/a@late.test", KEY).body(),
                    "{\"users\": {\"a@late.test\": {\"mail\": [\"a@late.test\"]}}}");
            assertEquals("{\"users\": {}}", s.get("/v1/query/a@other.test", KEY).body(), "dropped by the reload");
            rewrite(domains, "# emptied by mistake\n");
            awaitLog(s, "rejected");
            assertEquals("{\"users\": {\"a@late.test\": {\"mail\": [\"a@late.test\"]}}}",
                    s.get("/v1/query/a@late.test", KEY).body(), "last good set kept");
        }
    }

    @Test
    void expiredDomainSetFallsBackToBypass() {
        Distribution dist = Distribution.shared();
        String yaml = Distribution.TEST_LISTENER + """
                xspct_db_api_key: k2
                xspct_db_prefilter: {enabled: true}
                xspct_db_prefilter_domains: {enabled: true, inline: [example.org], max_age: 1, file_reload_interval: 0}
                xspct_db_queries: {users: {db_type: yaml}}
                xspct_db_yaml_data: {users: {a@other.test: {mail: a@other.test}}}
                """;
        try (RunningServer s = RunningServer.start(dist, dist.writeConfig("parity-expiry.yml", yaml))) {
            assertTrue(s.stdout().contains("prefilter domains ACTIVE: 1 domains"), s.stdout());
            awaitBody(() -> s.get("/v1/query/a@other.test", KEY).body(),
                    "{\"users\": {\"a@other.test\": {\"mail\": [\"a@other.test\"]}}}");
            assertTrue(s.stdout().contains("EXPIRED"), s.stdout());
        }
    }

    private static void rewrite(Path file, String content) throws IOException {
        FileTime before = Files.getLastModifiedTime(file);
        Files.writeString(file, content);
        // make the change visible even on file systems with coarse timestamps
        Files.setLastModifiedTime(file, FileTime.fromMillis(before.toMillis() + 2000));
    }

    private static void awaitBody(Supplier<String> body, String expected) {
        Await.untilEquals(expected, body);
    }

    private static void awaitLog(RunningServer s, String text) {
        Await.until("the log says " + text, s::stdout, () -> s.stdout().contains(text));
    }

    private static HttpResponse<String> postBytes(String path, byte[] body) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + main.port() + path))
                    .header("X-Api-Key", "k2").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sends a request line the HTTP client would refuse to build, and returns the status code. */
    private static int rawStatus(String requestLine) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", main.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write((requestLine + "\r\nHost: 127.0.0.1\r\nX-Api-Key: k2\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            String status = new String(in.readNBytes(12), StandardCharsets.ISO_8859_1);
            return Integer.parseInt(status.substring(9, 12));
        }
    }
}
