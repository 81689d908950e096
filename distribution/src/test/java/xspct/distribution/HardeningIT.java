package xspct.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Limits against slow and oversized clients, and the start warnings about unsafe key settings. */
class HardeningIT {
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
    void slowClientIsDisconnectedAfterTheReadTimeout() throws IOException {
        Distribution dist = Distribution.shared();
        String config = Distribution.TEST_LISTENER + "xspct_db_api_key: k\nxspct_db_read_timeout: 1\n" + DATA;
        try (RunningServer server = RunningServer.start(dist, dist.writeConfig("slow.yml", config))) {
            // a partial request line, and a connection that sends nothing at all
            for (String head : new String[] {"GET /v1/query/car", ""}) {
                double seconds = SlowClient.silent(new Socket("127.0.0.1", server.port()), head);
                assertTrue(seconds < 10, "disconnected after " + seconds + " s, configured 1 s");
                assertTrue(seconds > 0.5, "disconnected after " + seconds + " s: before the configured 1 s");
            }
            // a normal client is still served
            assertEquals(200, server.get("/v1/query/carol@example.com", Map.of("X-Api-Key", "k")).statusCode());
            // waiting for a request is not a slow request
            assertTrue(server.stdout().lines().noneMatch(l -> l.contains("request not received")), server.stdout());
        }
    }

    /**
     * Past the request line, headers or a body sent a byte at a time are cut off by the read timeout too, while an
     * answer that takes longer than it is given, on a connection that stays open.
     */
    @Test
    void slowHeadersAndBodiesAreCutOffButSlowAnswersAreNot() throws IOException {
        Distribution dist = Distribution.shared();
        String config = Distribution.TEST_LISTENER + """
                xspct_db_api_key: k
                xspct_db_read_timeout: 1
                xspct_db_metrics_enabled: true
                xspct_db_metrics_cache_ttl: 0
                xspct_db_queries:
                  users:
                    db_type: yaml
                  slow:
                    db_type: delay
                    delay: 2
                xspct_db_yaml_data:
                  users:
                    carol@example.com:
                      mail: carol@example.com
                """;
        try (RunningServer server = RunningServer.start(dist, dist.writeConfig("slow-parts.yml", config))) {
            Map<String, String> key = Map.of("X-Api-Key", "k");
            // answers that take 2 s, longer than the read timeout, are still given
            HttpResponse<String> get = server.get("/v1/query/carol@example.com", key);
            assertEquals(200, get.statusCode());
            assertTrue(get.body().contains("carol@example.com"), get.body());
            HttpResponse<String> post = server.post("/v1/query-json", "{\"users\": [\"carol@example.com\"]}", key);
            assertEquals(200, post.statusCode());
            assertTrue(post.body().contains("carol@example.com"), post.body());

            String host = "Host: 127.0.0.1\r\n";
            assertCutOff(server, "GET /ping HTTP/1.1\r\n" + host + "X-Slow: ", 'a');
            String post1 = "POST /v1/query-json HTTP/1.1\r\n" + host + "X-Api-Key: k\r\n"
                    + "Content-Type: application/json\r\n";
            assertCutOff(server, post1 + "Content-Length: 100000\r\n\r\n{\"users\": [", ' ');
            assertCutOff(server, post1 + "Transfer-Encoding: chunked\r\n\r\n186a0\r\n{\"users\": [", ' ');

            String metrics = server.get("/metrics", Map.of()).body();
            assertTrue(metrics.lines().anyMatch(l -> l.equals("xspct_db_slow_clients_disconnected_total 3.0")),
                    metrics.lines().filter(l -> l.contains("slow_clients")).toList().toString());
            assertTrue(server.stdout().lines().filter(l -> l.contains("closing the connection of 127.0.0.1:")
                    && l.contains("request not received within xspct_db_read_timeout (1 s)")).count() == 3,
                    server.stdout());
            // a cut-off body is neither a server error nor answered
            assertTrue(server.stdout().lines().noneMatch(l -> l.contains(" ERROR ") || l.contains("Request failed")),
                    server.stdout());
            // the Content-Length body was being read by the handler; a chunked body is read before the routing
            assertTrue(metrics.lines().anyMatch(l -> l.startsWith("http_requests_total{")
                    && l.contains("status=\"408\"") && l.contains("route=\"/v1/query-json\"") && l.endsWith(" 1.0")),
                    metrics.lines().filter(l -> l.startsWith("http_requests_total")).toList().toString());
            assertEquals(200, server.get("/v1/query/carol@example.com", key).statusCode());
        }
    }

    /** A body sent slowly to a route that does not read it is skipped under the same deadline. */
    @Test
    void slowBodyOfARefusedRequestIsCutOff() throws IOException {
        Distribution dist = Distribution.shared();
        String config = Distribution.TEST_LISTENER + "xspct_db_api_key: k\nxspct_db_read_timeout: 1\n" + DATA;
        try (RunningServer server = RunningServer.start(dist, dist.writeConfig("slow-refused.yml", config))) {
            double seconds = SlowClient.trickle(new Socket("127.0.0.1", server.port()),
                    "POST /v1/query-json HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{", ' ');
            assertTrue(seconds < 10, "disconnected after " + seconds + " s, configured 1 s");
            assertEquals(200, server.get("/v1/query/carol@example.com", Map.of("X-Api-Key", "k")).statusCode());
        }
    }

    private static void assertCutOff(RunningServer server, String head, char filler) throws IOException {
        double seconds = SlowClient.trickle(new Socket("127.0.0.1", server.port()), head, filler);
        assertTrue(seconds < 10, "disconnected after " + seconds + " s, configured 1 s: " + head);
        assertTrue(seconds > 0.5, "disconnected after " + seconds + " s: before the configured 1 s: " + head);
    }

    /** A client that does not read its answer (here 6.8 MB) is cut off the read timeout after the answer is ready. */
    @Test
    void answerNotReadIsCutOff() throws Exception {
        Distribution dist = Distribution.shared();
        String config = Distribution.TEST_LISTENER + """
                xspct_db_api_key: k
                xspct_db_read_timeout: 1
                xspct_db_query_json_max_users: 20000
                xspct_db_client_max_size: 16777216
                xspct_db_metrics_enabled: true
                xspct_db_metrics_cache_ttl: 0
                xspct_db_queries:
                  everyone:
                    db_type: dummy
                """;
        StringBuilder users = new StringBuilder("{\"users\": [");
        for (int i = 0; i < 20_000; i++) {
            users.append(i == 0 ? "" : ", ").append("\"u").append(i).append('-').append("x".repeat(130))
                    .append("@example.com\"");
        }
        byte[] body = users.append("]}").toString().getBytes(StandardCharsets.US_ASCII);
        // the answer repeats every address twice: at least this long
        long answerAtLeast = 20_000L * 2 * 140;
        try (RunningServer server = RunningServer.start(dist, dist.writeConfig("slow-reader.yml", config));
             Socket s = new Socket()) {
            s.setReceiveBufferSize(4096); // a small window, so the server's writes block soon
            s.connect(new InetSocketAddress("127.0.0.1", server.port()));
            s.setSoTimeout(15_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/query-json HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Api-Key: k\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            // read nothing until the server has given up on this client
            String verdict = "answer not read by the client within xspct_db_read_timeout (1 s)";
            Await.until("the server giving up on the client", Duration.ofSeconds(30),
                    () -> server.stdout().contains(verdict), server::stdout);
            assertTrue(server.stdout().contains(verdict), server.stdout());
            long received = 0;
            InputStream in = s.getInputStream();
            byte[] buf = new byte[65536];
            try {
                for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                    received += n;
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the connection stayed open after " + received + " bytes", e);
            } catch (IOException e) {
                // reset by the server: cut off as well
            }
            assertTrue(received < answerAtLeast, "received " + received + " bytes, the whole answer");
            String metrics = server.get("/metrics", Map.of()).body();
            assertTrue(metrics.lines().anyMatch(l -> l.equals("xspct_db_slow_clients_disconnected_total 1.0")),
                    metrics.lines().filter(l -> l.contains("slow_clients")).toList().toString());
            assertTrue(server.stdout().lines().noneMatch(l -> l.contains(" ERROR ")), server.stdout());
            assertEquals(200, server.post("/v1/query-json", "{\"users\": [\"a@example.org\"]}",
                    Map.of("X-Api-Key", "k")).statusCode());
        }
    }

    @Test
    void oversizedHeadersAreRefused() {
        Distribution dist = Distribution.shared();
        String config = Distribution.TEST_LISTENER + "xspct_db_api_key: k\n" + DATA;
        try (RunningServer server = RunningServer.start(dist, dist.writeConfig("headers.yml", config))) {
            assertEquals(200, server.get("/ping", Map.of("X-Filler", "a".repeat(8 * 1024))).statusCode());
            int status = server.get("/ping", Map.of("X-Filler", "a".repeat(20 * 1024))).statusCode();
            assertTrue(status == 431 || status == 400, "status " + status + " for 20 KiB of headers");
        }
    }

    @Test
    void portInUseExitsWith3() throws IOException {
        Distribution dist = Distribution.shared();
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getByName("127.0.0.1"))) {
            String config = "xspct_db_listen_address: 127.0.0.1\nxspct_db_listen_port: " + taken.getLocalPort()
                    + "\nxspct_db_api_key: k\n";
            Distribution.Exited r = RunningServer.runToExit(dist, dist.writeConfig("port-in-use.yml", config));
            assertEquals(3, r.exitCode(), r.output());
            assertTrue(r.stderr().contains("xspct_db_listen_port"), r.output());
        }
    }

    @Test
    void defaultKeyWarnsAtStart() {
        Distribution dist = Distribution.shared();
        try (RunningServer server = RunningServer.start(dist, dist.writeConfig("default-key.yml",
                Distribution.TEST_LISTENER + DATA))) {
            assertTrue(server.stdout().lines().anyMatch(l -> l.contains("WARNING")
                    && l.contains("xspct_db_api_key: is the default 'changeme'")), server.stdout());
            assertEquals(200, server.get("/v1/query/carol@example.com", Map.of("X-Api-Key", "changeme"))
                    .statusCode());
        }
    }
}
