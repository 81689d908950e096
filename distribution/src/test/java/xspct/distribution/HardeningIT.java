package xspct.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
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
        try (RunningServer server = RunningServer.start(dist, dist.writeConfig("slow.yml", config));
             Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(15_000); // our own bound: far above the server's 1 s
            OutputStream out = s.getOutputStream();
            out.write("GET /v1/query/car".getBytes(StandardCharsets.US_ASCII)); // a partial request line
            out.flush();
            long start = System.nanoTime();
            InputStream in = s.getInputStream();
            int r;
            try {
                do {
                    r = in.read();
                } while (r >= 0);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the server kept the slow connection open for 15 s", e);
            } catch (IOException e) {
                // reset by the server: disconnected as well
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(seconds < 10, "disconnected after " + seconds + " s, configured 1 s");
            assertTrue(seconds > 0.5, "disconnected after " + seconds + " s: before the configured 1 s");
            // a normal client is still served
            assertEquals(200, server.get("/v1/query/carol@example.com", Map.of("X-Api-Key", "k")).statusCode());
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
                    && l.contains("xspct_db_api_key is the default 'changeme'")), server.stdout());
            assertEquals(200, server.get("/v1/query/carol@example.com", Map.of("X-Api-Key", "changeme"))
                    .statusCode());
        }
    }
}
