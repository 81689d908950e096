package xspct.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Drop-in compatibility with xspct_db 0.7 on the released server: what the original tolerates starts, with one
 * warning per problem; {@code --check} reports every problem with exit 0/1/2 and starts nothing; {@code --strict}
 * refuses warnings; and the answers that used to differ match the original.
 */
class CompatibilityIT {
    private static final Map<String, String> KEY = Map.of("X-Api-Key", "k");
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** The three realistic configurations of production that did not start, each with its one warning. */
    static Stream<Arguments> toleratedConfigs() {
        return Stream.of(
                Arguments.of("invalid rewrite pattern", """
                        xspct_db_rewrite_rules:
                          - {pattern: '[invalid', replacement: 'x@example.org'}
                        """, "WARNING xspct_db_rewrite_rules[0].pattern: invalid regular expression '[invalid'",
                        "; rule skipped"),
                Arguments.of("invalid prefilter pattern", """
                        xspct_db_prefilter: {enabled: true}
                        xspct_db_prefilter_patterns: {enabled: true, patterns: ['(unclosed', '@']}
                        """, "WARNING xspct_db_prefilter_patterns.patterns[0]: invalid regular expression "
                                + "'(unclosed'", "; pattern skipped"),
                Arguments.of("unknown rule operator", """
                        xspct_db_rspamd_rules:
                          - name: match_all
                            condition: {attribute: mail, operator: regex, value: '.*'}
                            apply: {symbols_enabled: [NEVER]}
                        """, "WARNING xspct_db_rspamd_rules[0].condition.operator: unknown operator 'regex'",
                        "the condition evaluates to false, as in the original"),
                Arguments.of("prefilter redis_key without the Redis cache", """
                        xspct_db_prefilter: {enabled: true}
                        xspct_db_prefilter_domains: {enabled: true, inline: [example.org], redis_key: allowed}
                        """, "WARNING xspct_db_prefilter_domains.redis_key: 'allowed' is not read: the Redis cache "
                                + "is not enabled (xspct_db_redis_cache.enabled)",
                        "; the prefilter domains come from inline and file only"));
    }

    private static String config(String extra) {
        return Distribution.TEST_LISTENER + "xspct_db_api_key: k\n" + extra;
    }

    private static Distribution.Exited check(Distribution dist, Path config, String... flags) {
        List<String> cmd = new ArrayList<>();
        cmd.add(dist.launcher().toString());
        cmd.addAll(List.of(flags));
        cmd.add(config.toString());
        return Distribution.run(cmd, dist.home(), RunningServer.START_DEADLINE.toSeconds());
    }

    private static List<String> lines(String out) {
        return out.lines().filter(l -> !l.isBlank()).toList();
    }

    @Test
    void checkExitsZeroWhenThereIsNothingToReport() {
        Distribution dist = Distribution.shared();
        Distribution.Exited run = check(dist, dist.home().resolve("conf/xspct-db.yml"), "--check");
        assertEquals(0, run.exitCode(), run.output());
        assertEquals(List.of(), lines(run.stdout()), run.output());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("toleratedConfigs")
    void checkExitsOneWithOnlyWarningsAndTheServiceStarts(String name, String yaml, String start, String end) {
        Distribution dist = Distribution.shared();
        Path config = dist.writeConfig("tolerated-" + name.replace(' ', '-') + ".yml", config(yaml));
        Distribution.Exited run = check(dist, config, "--check");
        assertEquals(1, run.exitCode(), run.output());
        List<String> out = lines(run.stdout());
        assertEquals(1, out.size(), run.output());
        assertTrue(out.get(0).startsWith(start) && out.get(0).endsWith(end), out.get(0));
        assertFalse(run.output().contains("listening"), run.output());

        try (RunningServer s = RunningServer.start(dist, config)) {
            String warning = out.get(0).substring("WARNING ".length());
            assertEquals(1, s.stdout().lines().filter(l -> l.contains(" WARNING configuration " + warning)).count(),
                    s.stdout());
            assertEquals(200, s.get("/v1/query/a@example.org", KEY).statusCode());
        }
    }

    @Test
    void checkExitsTwoAndListsEveryErrorAndWarningAtOnce() {
        Distribution dist = Distribution.shared();
        Distribution.Exited run = check(dist, dist.writeConfig("check-errors.yml", """
                xspct_db_listen_address: 127.0.0.1
                xspct_db_listen_port: abc
                xspct_db_api_key: k
                xspct_db_queries:
                  users: {db_type: ldpa}
                """), "--check");
        assertEquals(2, run.exitCode(), run.output());
        List<String> out = lines(run.stdout());
        assertEquals(2, out.size(), run.output());
        assertEquals("ERROR xspct_db_listen_port: must be a number, got 'abc'", out.get(0));
        assertTrue(out.get(1).startsWith("WARNING xspct_db_queries.users.db_type: query 'users' uses db_type "
                + "'ldpa', which no installed plugin provides (installed: "), out.get(1));

        Distribution.Exited tls = check(dist, dist.writeConfig("check-tls.yml", config("""
                xspct_db_tls: {tls_enabled: true, tls_cert: /nonexistent/cert.pem, tls_key: /nonexistent/key.pem}
                """)), "--check");
        assertEquals(2, tls.exitCode(), tls.output());
        assertEquals(List.of("ERROR xspct_db_tls.tls_cert: /nonexistent/cert.pem does not exist or is not a file",
                "ERROR xspct_db_tls.tls_key: /nonexistent/key.pem does not exist or is not a file"),
                lines(tls.stdout()));

        Distribution.Exited missing = check(dist, dist.home().resolve("conf/nope.yml"), "--check");
        assertEquals(2, missing.exitCode(), missing.output());
        assertTrue(missing.stdout().startsWith("ERROR "), missing.output());
        assertTrue(missing.stdout().contains("Config file not found"), missing.output());
        assertEquals(2, check(dist, dist.home().resolve("conf/xspct-db.yml"), "--check", "extra").exitCode(),
                "a wrong call of --check never passes as 'warnings only'");
    }

    @Test
    void aStartReportsEveryProblemToo() {
        Distribution dist = Distribution.shared();
        Distribution.Exited run = RunningServer.runToExit(dist, dist.writeConfig("start-errors.yml", """
                xspct_db_listen_address: 127.0.0.1
                xspct_db_listen_port: abc
                xspct_db_api_key: k
                xspct_db_queries:
                  users: {db_type: ldpa}
                xspct_db_tls: {tls_enabled: true, tls_cert: /nonexistent/cert.pem, tls_key: /nonexistent/key.pem}
                """));
        assertEquals(2, run.exitCode(), run.output());
        for (String expected : List.of("xspct_db_listen_port: must be a number, got 'abc'",
                "xspct_db_tls.tls_cert: /nonexistent/cert.pem", "xspct_db_tls.tls_key: /nonexistent/key.pem",
                "WARNING configuration xspct_db_queries.users.db_type: query 'users' uses db_type 'ldpa'")) {
            assertTrue(run.output().contains(expected), "missing '" + expected + "' in " + run.output());
        }
        assertFalse(run.output().contains("\tat "), run.output());
    }

    @Test
    void checkContactsNoBackend() throws IOException {
        Distribution dist = Distribution.shared();
        try (ServerSocket backend = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = backend.getLocalPort();
            Path config = dist.writeConfig("check-no-contact.yml", config("""
                    xspct_db_queries:
                      directory:
                        db_type: ldap
                        server: ldap://127.0.0.1:%1$d
                        bind_dn: cn=reader
                        bind_dn_pw: secret
                        base_dn: dc=example,dc=org
                        search_filter: (mail=%%u)
                        search_filter_replace: {'%%u': address}
                      people:
                        db_type: mysql
                        server: 127.0.0.1
                        port: %1$d
                        user: reader
                        password: secret
                        database: people
                        query: SELECT * FROM people WHERE mail = '%%u'
                        query_replace: {'%%u': address}
                    xspct_db_redis_cache: {enabled: true, host: 127.0.0.1, port: %1$d}
                    """.formatted(port)));
            Distribution.Exited run = check(dist, config, "--check");
            assertEquals(0, run.exitCode(), run.output());
            // a connection made by the finished process would wait in the backlog: there is none
            backend.setSoTimeout(1);
            assertThrows(SocketTimeoutException.class, backend::accept, "--check connected to a backend");
        }
    }

    @Test
    void strictRefusesWarningsAndStartsWithoutThem() {
        Distribution dist = Distribution.shared();
        Path tolerated = dist.writeConfig("strict-warnings.yml", config("""
                xspct_db_rewrite_rules:
                  - {pattern: '[invalid', replacement: 'x@example.org'}
                """));
        Distribution.Exited refused = Distribution.run(List.of(dist.launcher().toString(), "--strict",
                tolerated.toString()), dist.home(), RunningServer.START_DEADLINE.toSeconds());
        assertEquals(2, refused.exitCode(), refused.output());
        assertTrue(refused.stderr().contains("xspct_db_rewrite_rules[0].pattern: invalid regular expression "
                + "'[invalid'"), refused.output());
        assertTrue(refused.stderr().contains("--strict"), refused.output());
        assertFalse(refused.output().contains("listening"), refused.output());

        Path clean = dist.writeConfig("strict-clean.yml", config(""));
        try (RunningServer s = RunningServer.start(List.of(dist.launcher().toString(), "--strict", clean.toString()),
                dist.home(), Map.of())) {
            assertEquals("{\"users\": {}}", s.get("/v1/query/nobody@example.org", KEY).body());
            // an encoded slash is part of the address: unknown, as in the original, not 404
            HttpResponse<String> slash = s.get("/v1/query/a%2Fb@example.org", KEY);
            assertEquals(200, slash.statusCode(), slash.body());
            assertEquals("{\"users\": {}}", slash.body());
            assertEquals("application/json", slash.headers().firstValue("Content-Type").orElse(""));
            assertEquals(200, s.get("/query/v1/a%2Fb@example.org/", KEY).statusCode(), "legacy path, trailing slash");
            assertEquals(404, s.get("/v1/query/a/b@example.org", KEY).statusCode(), "a real slash stays 404");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("toleratedConfigs")
    void strictRefusesEachToleratedConfig(String name, String yaml, String start, String end) {
        Distribution dist = Distribution.shared();
        Path config = dist.writeConfig("strict-" + name.replace(' ', '-') + ".yml", config(yaml));
        Distribution.Exited refused = check(dist, config, "--strict");
        assertEquals(2, refused.exitCode(), refused.output());
        String path = start.substring("WARNING ".length(), start.indexOf(": "));
        assertTrue(refused.stderr().contains(path + ": ") && refused.stderr().contains("--strict"),
                refused.output());
        assertFalse(refused.output().contains("listening"), refused.output());
    }

    /**
     * Regression guard: every tolerated problem at once. The server starts, warns once per problem, and answers as
     * the original does, including the three answers that used to differ.
     */
    @Test
    void everyToleratedProblemAtOnceStartsWarnsOnceEachAndAnswersAsTheOriginal() throws Exception {
        Distribution dist = Distribution.shared();
        Path config = dist.writeConfig("every-tolerated.yml", Distribution.TEST_LISTENER + """
                xspct_db_api_key: k
                xspct_db_queries:
                  dummy: {db_type: dummy}
                  users: {db_type: yaml, search_filter: [aliases]}
                  typo: {db_type: ldpa}
                  nothing: {primary_key: mail}
                  wild: {db_type: yaml, wildcard_domain_query: true, wildcard_key_pattern: '[x'}
                xspct_db_yaml_data:
                  users:
                    alice@example.org: {mail: alice@example.org, aliases: [a@example.org], vip: 'yes'}
                    bob@example.org: {mail: bob@example.org}
                xspct_db_rewrite_rules:
                  - {pattern: '[invalid', replacement: x}
                  - not-a-rule
                  - {pattern: '(a)', replacement: '\\2'}
                  - {pattern: '@legacy\\.example$', replacement: '@example.org'}
                xspct_db_prefilter: {enabled: true}
                xspct_db_prefilter_patterns: {enabled: true, patterns: ['(unclosed', '@']}
                xspct_db_rspamd_rules:
                  - name: never
                    condition: {attribute: mail, operator: regex, value: '.*'}
                    apply: {symbols_enabled: [NEVER]}
                  - name: vip
                    condition: {attribute: vip, operator: truthy}
                    aggregation: most
                    apply: {symbols_enabled: [VIP]}
                  - 42
                xspct_db_reject_level_map: {5: 13}
                """);
        List<String> paths = List.of("xspct_db_queries.typo.db_type", "xspct_db_queries.nothing.db_type",
                "xspct_db_queries.wild.wildcard_key_pattern", "xspct_db_rewrite_rules[0].pattern",
                "xspct_db_rewrite_rules[1]", "xspct_db_rewrite_rules[2].replacement",
                "xspct_db_prefilter_patterns.patterns[0]", "xspct_db_rspamd_rules[0].condition.operator",
                "xspct_db_rspamd_rules[1].aggregation", "xspct_db_rspamd_rules[2]", "xspct_db_reject_level_map");

        Distribution.Exited checked = check(dist, config, "--check");
        assertEquals(1, checked.exitCode(), checked.output());
        assertEquals(paths.stream().sorted().toList(), lines(checked.stdout()).stream()
                .map(l -> l.substring("WARNING ".length(), l.indexOf(": "))).sorted().toList(), checked.output());

        try (RunningServer s = RunningServer.start(dist, config)) {
            // an alias through dummy + yaml: the dummy's own object under the requested address (asked first: once
            // cached, the alias resolves to its user's object, in the original too)
            assertEquals("{\"users\": {\"a@example.org\": {\"uid\": \"a@example.org\", \"comment\": "
                    + "\"dummy reply\"}}}", s.post("/v1/query-json", "{\"users\": [\"a@example.org\"]}", KEY).body());
            for (String p : paths) {
                assertEquals(1, s.stdout().lines().filter(l -> l.contains(" WARNING configuration " + p + ": "))
                        .count(), p + " in " + s.stdout());
            }
            // the valid rewrite rule after the skipped ones still works; the valid prefilter pattern still filters
            assertTrue(s.get("/v1/query/alice@legacy.example", KEY).body().contains("\"alice@example.org\""));
            assertEquals("{\"users\": {}}", s.get("/v1/query/no-at-sign", KEY).body());
            // an encoded slash is part of the address (here answered by the dummy under it), not a 404
            assertEquals("{\"users\": {\"a/b@example.org\": {\"uid\": \"a/b@example.org\", \"comment\": "
                    + "\"dummy reply\"}}}", s.get("/v1/query/a%2Fb@example.org", KEY).body());
            // MessagePack bin users are read as UTF-8
            HttpResponse<String> bin = postMsgpack(s, binaryUsers("alice@example.org"));
            assertEquals(200, bin.statusCode(), bin.body());
            assertTrue(bin.body().startsWith("{\"users\": {\"alice@example.org\": {"), bin.body());
            // unknown operator: false; unknown aggregation: any (alice is a vip, bob is not)
            String settings = s.post("/v1/rspamd-settings", "{\"rcpts\": [\"alice@example.org\", "
                    + "\"bob@example.org\"]}", KEY).body();
            assertTrue(settings.contains("\"VIP\""), settings);
            assertFalse(settings.contains("\"NEVER\""), settings);
            // a malformed escape: the documented body
            assertEquals("HTTP/1.1 400 Bad Request", rawResponse(s.port(), "GET /v1/query/%zz HTTP/1.1").lines()
                    .findFirst().orElse(""));
            assertTrue(rawResponse(s.port(), "GET /v1/query/%zz HTTP/1.1").endsWith("\r\n\r\n400 Bad Request"));
            assertFalse(s.stderr().contains("sun.misc.Unsafe"), s.stderr());
            assertFalse(s.stdout().contains("lambda$"), s.stdout());
        }
    }

    /** {@code {"users": [bin(address)]}} in MessagePack. */
    private static byte[] binaryUsers(String address) {
        byte[] a = address.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x81); // map of 1
        out.write(0xa5); // str of 5
        out.writeBytes("users".getBytes(StandardCharsets.US_ASCII));
        out.write(0x91); // array of 1
        out.write(0xc4); // bin 8
        out.write(a.length);
        out.writeBytes(a);
        return out.toByteArray();
    }

    private static HttpResponse<String> postMsgpack(RunningServer s, byte[] body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/v1/query-json"))
                .header("X-Api-Key", "k").header("Content-Type", "application/msgpack")
                .header("Accept", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String rawResponse(int port, String requestLine) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write((requestLine + "\r\nHost: 127.0.0.1\r\nX-Api-Key: k\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
