package xspct.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static xspct.distribution.SnapshotSetup.AUTH;
import static xspct.distribution.SnapshotSetup.awaitLog;
import static xspct.distribution.SnapshotSetup.occurrences;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * Edge snapshots end to end with released servers: a central on the YAML backend publishes, edges subscribe.
 */
class SnapshotIT {
    private static final String SOURCE = "X-Xspct-Source";

    /** Users, aliases, a wildcard domain; alice has a password hash that must not leave the central. */
    private static String data() {
        StringBuilder users = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            users.append("""
                        user%d@example.org:
                          mail: user%d@example.org
                          aliases: [u%d@example.org, user%d@example.net]
                          quota: %d
                          greylisting: ["%s"]
                    """.formatted(i, i, i, i, 1000 + i, i % 2 == 0 ? "TRUE" : "FALSE"));
        }
        return """
                xspct_db_api_key: k
                xspct_db_queries:
                  users:
                    db_type: yaml
                    search_filter: [aliases]
                  domains:
                    db_type: yaml
                    wildcard_domain_query: true
                xspct_db_yaml_data:
                  users:
                    alice@example.org:
                      mail: alice@example.org
                      aliases: [a@example.org]
                      userPassword: "{SSHA}secret-hash"
                      reject_level: ["5"]
                """ + users + """
                  domains:
                    "@example.org":
                      mail: "@example.org"
                      catchall: postmaster@example.org
                """;
    }

    /** Every address the central's YAML data answers, plus some it answers through the wildcard or not at all. */
    private static List<String> addresses() {
        List<String> out = new ArrayList<>(List.of("alice@example.org", "a@example.org", "@example.org",
                "new@example.org", "nobody@example.com", "x@example.net"));
        for (int i = 0; i < 20; i++) {
            out.addAll(List.of("user" + i + "@example.org", "u" + i + "@example.org", "user" + i + "@example.net"));
        }
        return out;
    }

    private static RunningServer central(Distribution dist, SnapshotSetup setup, String name, int port,
                                         double interval, String exclude) {
        return central(dist, setup, name, port, interval, exclude, "");
    }

    private static RunningServer central(Distribution dist, SnapshotSetup setup, String name, int port,
                                         double interval, String exclude, String extra) {
        String listener = Distribution.TEST_LISTENER.replace("xspct_db_listen_port: 0",
                "xspct_db_listen_port: " + port);
        return RunningServer.start(dist, dist.writeConfig(name + ".yml", listener + data()
                + setup.publish(interval, exclude) + extra));
    }

    private static RunningServer edge(Distribution dist, SnapshotSetup setup, String name, int centralPort,
                                      String mode, double interval, double maxAge) {
        return RunningServer.start(dist, dist.writeConfig(name + ".yml", Distribution.TEST_LISTENER
                + "xspct_db_api_key: k\n" + setup.subscribe(name, centralPort, mode, interval, maxAge)));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String rspamd(String from, String... rcpts) {
        return "{\"from\": \"" + from + "\", \"rcpts\": [" + String.join(", ", List.of(rcpts).stream()
                .map(r -> "\"" + r + "\"").toList()) + "]}";
    }

    private static String batch(List<String> addresses) {
        return "{\"users\": [" + String.join(", ", addresses.stream().map(a -> "\"" + a + "\"").toList()) + "]}";
    }

    /** The answers of every endpoint for the test addresses, by request. */
    private static Map<String, String> answers(RunningServer s, boolean fromSnapshot) {
        Map<String, String> out = new LinkedHashMap<>();
        List<HttpResponse<String>> all = new ArrayList<>();
        for (String a : addresses()) {
            HttpResponse<String> r = s.get("/v1/query/" + a, AUTH);
            out.put("GET " + a, r.statusCode() + " " + r.body());
            all.add(r);
        }
        HttpResponse<String> b = s.post("/v1/query-json", batch(addresses()), AUTH);
        out.put("query-json", b.statusCode() + " " + b.body());
        all.add(b);
        for (String body : List.of(rspamd("alice@example.org", "user1@example.org", "new@example.org"),
                rspamd("user2@example.net", "a@example.org", "nobody@example.com"), rspamd("", "u3@example.org"))) {
            HttpResponse<String> r = s.post("/v1/rspamd-settings", body, AUTH);
            out.put("rspamd " + body, r.statusCode() + " " + r.body());
            all.add(r);
        }
        for (HttpResponse<String> r : all) {
            assertEquals(fromSnapshot, r.headers().firstValue(SOURCE).orElse("").startsWith("snapshot/"),
                    r.request().uri() + " " + r.headers().map());
        }
        return out;
    }

    @Test
    void aPrimaryEdgeAnswersLikeTheCentralForEveryAddressAndOutlivesIt() throws Exception {
        Distribution dist = Distribution.shared();
        SnapshotSetup setup = SnapshotSetup.create("snapshot-primary");
        int port = freePort();
        Map<String, String> expected;
        // without L1: a GET answered from a cache is keyed by the requested address, from the backends by the
        // primary key, and an edge answers as the backends do
        try (RunningServer central = central(dist, setup, "central-primary", port, 3600, "",
                "xspct_db_local_cache: {enabled: false}\n");
             RunningServer edge = edge(dist, setup, "primary", port, "primary", 3600, 86400)) {
            awaitLog(central, "published", 1);
            awaitLog(edge, " serves", 1);
            expected = answers(central, false);
            assertTrue(expected.get("GET alice@example.org").contains("secret-hash"), "the test data is complete");
            assertTrue(expected.get("GET new@example.org").contains("catchall"), "wildcard answers are compared");
            assertEquals(expected, answers(edge, true));
            assertEquals(0, central.stop());
            assertEquals(expected, answers(edge, true), "the edge answers without its central");
            HttpResponse<String> list = edge.get("/v1/snapshots", AUTH);
            assertEquals(200, list.statusCode());
            assertTrue(list.body().contains("\"role\": \"edge\", \"mode\": \"primary\", \"serving\": \""
                    + SnapshotSetup.serving(edge) + "\""), list.body());
            assertEquals(401, edge.get("/v1/snapshots", Map.of("X-Api-Key", "wrong")).statusCode());
        }
    }

    @Test
    void excludedAttributesAreNotInTheFileTheEdgeGets() throws Exception {
        Distribution dist = Distribution.shared();
        SnapshotSetup setup = SnapshotSetup.create("snapshot-exclude");
        int port = freePort();
        try (RunningServer central = central(dist, setup, "central-exclude", port, 3600, "userPassword");
             RunningServer edge = edge(dist, setup, "exclude", port, "primary", 3600, 86400)) {
            awaitLog(edge, " serves", 1);
            String version = SnapshotSetup.serving(edge);
            Path file = setup.edgeDir("exclude").resolve(version + ".sqlite");
            String answers = SnapshotSetup.tool("sqlite3", file.toString(), "SELECT answer FROM users").stdout();
            assertTrue(answers.contains("alice@example.org"), answers);
            assertFalse(answers.contains("userPassword") || answers.contains("secret-hash"), answers);
            String count = SnapshotSetup.tool("sqlite3", setup.centralDir().resolve(version + ".sqlite")
                    .toString(), "SELECT count(*) FROM users WHERE answer LIKE '%secret%'").stdout();
            assertEquals("0", count.strip());
            assertTrue(answer(central, "alice@example.org").contains("secret-hash"));
            String fromEdge = edge.get("/v1/query/alice@example.org", AUTH).body();
            assertTrue(fromEdge.contains("\"reject_level\": [\"5\"]") && !fromEdge.contains("userPassword"),
                    fromEdge);
        }
    }

    private static String answer(RunningServer s, String address) {
        return s.get("/v1/query/" + address, AUTH).body();
    }

    /** The newest version file of the central. */
    private static String newest(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".manifest")).sorted()
                    .reduce((a, b) -> b).orElseThrow().replace(".manifest", "");
        }
    }

    @Test
    void damagedUnsignedAndStaleSnapshotsAreRefusedAndThePreviousOneKeepsServing() throws Exception {
        Distribution dist = Distribution.shared();
        SnapshotSetup setup = SnapshotSetup.create("snapshot-refusals");
        SnapshotSetup stranger = SnapshotSetup.create("snapshot-stranger");
        int port = freePort();
        String good;
        try (RunningServer central = central(dist, setup, "central-refusals-1", port, 3600, "");
             RunningServer edge = edge(dist, setup, "refusals", port, "fallback", 3600, 86400)) {
            awaitLog(edge, " serves", 1);
            good = SnapshotSetup.serving(edge);
            assertEquals(0, edge.stop());
            assertEquals(0, central.stop());
        }
        // a second version, then damage it in the central's directory in four ways, one edge start each
        try (RunningServer central = central(dist, setup, "central-refusals-2", port, 3600, "")) {
            awaitLog(central, "published", 1);
            String bad = newest(setup.centralDir());
            assertNotEquals(good, bad);
            Path file = setup.centralDir().resolve(bad + ".sqlite");
            Path manifest = setup.centralDir().resolve(bad + ".manifest");
            byte[] original = Files.readAllBytes(file);
            String originalManifest = Files.readString(manifest);

            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                f.seek(original.length / 2);
                f.write(original[original.length / 2] ^ 1);
            }
            assertRefused(dist, setup, port, good, "SHA-256");

            Files.write(file, java.util.Arrays.copyOf(original, original.length - 512));
            assertRefused(dist, setup, port, good, "truncated");

            Files.write(file, original);
            SnapshotSetup.resign(manifest, t -> t, stranger.privateKey);
            assertRefused(dist, setup, port, good, "signature");

            Files.writeString(manifest, originalManifest.substring(0, originalManifest.indexOf("signature=")));
            assertRefused(dist, setup, port, good, "not a signed");

            Pattern created = Pattern.compile("created=(\\S+)");
            Matcher m = created.matcher(originalManifest);
            assertTrue(m.find());
            Files.writeString(manifest, originalManifest);
            SnapshotSetup.resign(manifest, t -> t.replace(m.group(0), "created="
                    + Instant.parse(m.group(1)).minusSeconds(2 * 86400)), setup.privateKey);
            assertRefused(dist, setup, port, good, "max_age");
        }
    }

    private static void assertRefused(Distribution dist, SnapshotSetup setup, int port, String good, String why) {
        try (RunningServer edge = edge(dist, setup, "refusals", port, "fallback", 3600, 86400)) {
            awaitLog(edge, "snapshot refused", 1);
            String log = edge.stdout();
            assertEquals(1, occurrences(log, "ERROR"), log);
            assertTrue(log.contains(why) && log.contains("version " + good + " keeps serving"), log);
            assertTrue(edge.get("/v1/snapshots", AUTH).body().contains("\"serving\": \"" + good + "\""));
            assertEquals(0, edge.stop());
        }
    }

    @Test
    void rollbackPinsThePreviousVersionAcrossARestartAndFollowReturnsToTheNewest() throws Exception {
        Distribution dist = Distribution.shared();
        SnapshotSetup setup = SnapshotSetup.create("snapshot-rollback");
        int port = freePort();
        try (RunningServer central = central(dist, setup, "central-rollback", port, 1, "")) {
            String pinned;
            try (RunningServer edge = edge(dist, setup, "rollback", port, "primary", 1, 86400)) {
                awaitLog(edge, " serves", 3);
                HttpResponse<String> r = edge.post("/v1/snapshots/rollback", "", AUTH);
                assertEquals(200, r.statusCode(), r.body());
                assertTrue(r.body().contains("\"pinned\": true"), r.body());
                pinned = SnapshotSetup.serving(edge);
                int downloads = occurrences(edge.stdout(), "downloaded and verified");
                awaitLog(edge, "downloaded and verified", downloads + 1);
                assertEquals("snapshot/" + pinned, edge.get("/v1/query/a@example.org", AUTH).headers()
                        .firstValue(SOURCE).orElse(""), "a newer version does not replace the pinned one");
                assertEquals(401, edge.post("/v1/snapshots/rollback", "", Map.of()).statusCode(),
                        "rollback needs the API key");
                assertEquals(0, edge.stop());
            }
            try (RunningServer edge = edge(dist, setup, "rollback", port, "primary", 1, 86400)) {
                awaitLog(edge, "snapshot " + pinned + " serves", 1);
                awaitLog(edge, "downloaded and verified", 1);
                assertEquals("snapshot/" + pinned, edge.get("/v1/query/a@example.org", AUTH).headers()
                        .firstValue(SOURCE).orElse(""), "the pin survives the restart");
                HttpResponse<String> r = edge.post("/v1/snapshots/follow", "", AUTH);
                assertEquals(200, r.statusCode(), r.body());
                String now = SnapshotSetup.serving(edge);
                assertTrue(now.compareTo(pinned) > 0, now + " after " + pinned);
                assertTrue(edge.get("/v1/snapshots", AUTH).body().matches("(?s).*\"serving\": \"\\d{8}T\\d{9}Z\".*"));
                assertFalse(edge.get("/v1/snapshots", AUTH).body().contains("\"pinned\": true"));
            }
        }
    }

    @Test
    void anEdgeDownloadsOverMutualTls() throws Exception {
        Distribution dist = Distribution.shared();
        SnapshotSetup setup = SnapshotSetup.create("snapshot-mtls");
        Path pki = setup.dir.resolve("pki");
        Files.createDirectories(pki);
        java.util.function.Consumer<String[]> openssl = args -> {
            List<String> cmd = new ArrayList<>(List.of("openssl"));
            cmd.addAll(List.of(args));
            Distribution.Exited r = Distribution.runTool(cmd, pki, 60);
            assertEquals(0, r.exitCode(), String.join(" ", cmd) + ": " + r.output());
        };
        openssl.accept(new String[] {"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out",
                "ca.pem", "-days", "2", "-subj", "/CN=snapshot test CA"});
        Files.writeString(pki.resolve("server.ext"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
        Files.writeString(pki.resolve("client.ext"), "extendedKeyUsage=clientAuth\n");
        for (String[] c : List.of(new String[] {"server", "/CN=central"}, new String[] {"client", "/CN=edge"})) {
            openssl.accept(new String[] {"req", "-newkey", "rsa:2048", "-nodes", "-keyout", c[0] + ".key", "-out",
                    c[0] + ".csr", "-subj", c[1]});
            openssl.accept(new String[] {"x509", "-req", "-in", c[0] + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                    "-CAcreateserial", "-out", c[0] + ".pem", "-days", "2", "-extfile", c[0] + ".ext"});
        }
        int port = freePort();
        String tls = """
                xspct_db_tls:
                  tls_enabled: true
                  tls_cert: %s
                  tls_key: %s
                  tls_client_ca: %s
                """.formatted(pki.resolve("server.pem"), pki.resolve("server.key"), pki.resolve("ca.pem"));
        String listener = Distribution.TEST_LISTENER.replace("xspct_db_listen_port: 0", "xspct_db_listen_port: "
                + port);
        try (RunningServer central = RunningServer.start(dist, dist.writeConfig("central-mtls.yml", listener
                + data() + setup.publish(3600, "") + tls))) {
            awaitLog(central, "published", 1);
            // checks every 5 s: a first check that times out on a loaded machine is retried, not waited for an hour
            String subscribe = setup.subscribe("mtls", port, "primary", 5, 86400).replace("http://", "https://");
            try (RunningServer edge = RunningServer.start(dist, dist.writeConfig("edge-mtls.yml",
                    Distribution.TEST_LISTENER + "xspct_db_api_key: k\n" + subscribe + """
                      tls:
                        ca: %s
                        cert: %s
                        key: %s
                    """.formatted(pki.resolve("ca.pem"), pki.resolve("client.pem"), pki.resolve("client.key"))))) {
                awaitLog(edge, " serves", 1);
                assertTrue(edge.get("/v1/query/a@example.org", AUTH).body().contains("alice@example.org"));
            }
            try (RunningServer anonymous = RunningServer.start(dist, dist.writeConfig("edge-mtls-anonymous.yml",
                    Distribution.TEST_LISTENER + "xspct_db_api_key: k\n" + subscribe.replace("edge-mtls",
                    "edge-mtls-anonymous") + """
                      tls:
                        ca: %s
                    """.formatted(pki.resolve("ca.pem"))))) {
                awaitLog(anonymous, "snapshot check failed", 1);
                assertFalse(anonymous.stdout().contains(" serves"), "no client certificate, no snapshot");
            }
        }
    }
}
