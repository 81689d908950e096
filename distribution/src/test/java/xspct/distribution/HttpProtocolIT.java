package xspct.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the released server does with malformed, ambiguous and old-fashioned HTTP/1 on a plain socket: no request
 * smuggling, no 5xx (except 501 for a transfer coding it does not support), nothing read after an answer with
 * {@code Connection: close}, no connection left hanging, HTTP/1.0 answered, and no request dropped at a stop.
 */
class HttpProtocolIT {
    private static final String KEY = "X-Api-Key: KEY\r\n";
    private static final String CONFIG = Distribution.TEST_LISTENER + """
            xspct_db_api_key: KEY
            xspct_db_client_max_size: 1024
            xspct_db_metrics_enabled: true
            xspct_db_queries:
              users:
                db_type: yaml
            xspct_db_yaml_data:
              users:
                alias1@example.org:
                  mail: alias1@example.org
            """;
    /** How long the server may take to answer and close: far more than it needs, far less than its read timeout. */
    private static final int SILENCE_MS = 1000;

    private static RunningServer server;

    @BeforeAll
    static void start() {
        Distribution dist = Distribution.shared();
        server = RunningServer.start(dist, dist.writeConfig("http-protocol.yml", CONFIG));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static RawHttp.Exchange send(String request) throws IOException {
        return RawHttp.exchange(server.port(), request.getBytes(StandardCharsets.ISO_8859_1), SILENCE_MS);
    }

    /** One answer with the status, with Connection: close, and nothing after it. */
    private static void assertOnlyAnswer(int status, String request) throws IOException {
        RawHttp.Exchange e = send(request);
        String what = RawHttp.printable(request.getBytes(StandardCharsets.ISO_8859_1)) + " -> " + e;
        assertEquals(1, e.answers().size(), what);
        assertEquals(status, e.answers().getFirst().status(), what);
        assertTrue(e.answers().getFirst().closes(), what);
        assertEquals("", e.trailing(), what);
    }

    private static String chunked(String path, String body) {
        return "POST " + path + " HTTP/1.1\r\nHost: x\r\n" + KEY + "Content-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n" + body;
    }

    @Test
    void theRestOfABodyRefusedWith413IsNeverReadAsRequests() throws IOException {
        String smuggled = "GET /v1/query/alias1@example.org HTTP/1.1\r\nHost: x\r\n" + KEY + "\r\n";
        for (String path : List.of("/v1/query-json", "/v1/rspamd-settings", "/v1/cache/invalidate")) {
            assertOnlyAnswer(413, chunked(path, "FFFFFF\r\n" + smuggled));
            assertOnlyAnswer(413, "POST " + path + " HTTP/1.1\r\nHost: x\r\n" + KEY + "Content-Length: 2000\r\n\r\n"
                    + smuggled);
        }
    }

    @Test
    void chunkExtensionsAreAcceptedAndDropped() throws IOException {
        String json = "{\"users\": [\"alias1@example.org\"]}";
        String body = "5;a=b\r\n" + json.substring(0, 5) + "\r\n" + Integer.toHexString(json.length() - 5)
                + " ; name=\"x;y\" ;last\r\n" + json.substring(5) + "\r\n0;end=1\r\nX-Trailer: t\r\n\r\n";
        // the request after the body is read where the body ends
        RawHttp.Exchange e = send(chunked("/v1/query-json", body) + "GET /ping HTTP/1.1\r\nHost: x\r\n"
                + "Connection: close\r\n\r\n");
        assertEquals(2, e.answers().size(), e.toString());
        assertEquals(200, e.answers().get(0).status(), e.toString());
        assertTrue(e.answers().get(0).body().contains("\"mail\""), e.toString());
        assertTrue(e.answers().get(0).body().contains("alias1@example.org"), e.toString());
        assertEquals("Pong", e.answers().get(1).body(), e.toString());
        assertEquals("", e.trailing(), e.toString());
    }

    /** Data longer than its chunk size is refused at once, not after xspct_db_read_timeout (30 s here). */
    @Test
    void chunkDataLongerThanItsSizeIs400AtOnce() throws IOException {
        assertOnlyAnswer(400, chunked("/v1/query-json", "2\r\nabcdef\r\n0\r\n\r\n"));
        assertOnlyAnswer(400, chunked("/v1/query-json", "2\r\n{}x"));
        assertOnlyAnswer(400, chunked("/v1/query-json", "2\r\n{}\r\n0\r\nX: 1\n\r\n"));
    }

    @Test
    void malformedChunkedBodiesAre400() throws IOException {
        for (String size : List.of("zz", "-1", "FFFFFFFFFFFFFFFFFF", " 3 ", "0x3", "3;a\0")) {
            assertOnlyAnswer(400, chunked("/v1/query-json", size + "\r\n{}x\r\n0\r\n\r\n"));
        }
        assertOnlyAnswer(400, chunked("/v1/query-json", "2\n{}\n0\n\n"));
        String log = server.stdout();
        assertTrue(log.lines().noneMatch(l -> l.contains(" ERROR ")), log);
    }

    @Test
    void malformedRequestLinesAre400() throws IOException {
        for (String line : List.of("G\0T /ping", "GE:T /ping", "GET)/ping", "\0GET /ping", "G\u00ffT /ping")) {
            assertOnlyAnswer(400, line + " HTTP/1.1\r\nHost: x\r\n\r\n");
        }
        RawHttp.Exchange e = send("GET /ping HTTP/1.1\r\nHost: x\r\n\r\nG\0T / HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(2, e.answers().size(), e.toString());
        assertEquals(200, e.answers().get(0).status(), e.toString());
        assertEquals(400, e.answers().get(1).status(), e.toString());
        assertTrue(e.answers().get(1).closes(), e.toString());
        assertEquals("", e.trailing(), e.toString());
    }

    /** The classic request-smuggling set: ambiguous framing is refused, and the connection closed. */
    @Test
    void ambiguousFramingIs400() throws IOException {
        String head = "POST /v1/query-json HTTP/1.1\r\nHost: x\r\n" + KEY + "Content-Type: application/json\r\n";
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("CL and TE", head + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        cases.put("TE and CL", head + "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n");
        cases.put("two CL", head + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}x");
        cases.put("TE folded", head + "Transfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n");
        cases.put("space before colon", head + "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            RawHttp.Exchange e = send(c.getValue());
            assertEquals(1, e.answers().size(), c.getKey() + ": " + e);
            assertEquals(400, e.answers().getFirst().status(), c.getKey() + ": " + e);
            assertEquals("", e.trailing(), c.getKey() + ": " + e);
        }
    }

    @Test
    void unsupportedTransferCodingIs501() throws IOException {
        assertOnlyAnswer(501, "POST /v1/query-json HTTP/1.1\r\nHost: x\r\n" + KEY
                + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n");
    }

    @Test
    void nothingIsAnsweredAfterARequestThatAskedToClose() throws IOException {
        RawHttp.Exchange e = send("GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                + "GET /v1/query/alias1@example.org HTTP/1.1\r\nHost: x\r\n" + KEY + "\r\n");
        assertEquals(1, e.answers().size(), e.toString());
        assertEquals("Pong", e.answers().getFirst().body());
        assertTrue(e.answers().getFirst().closes(), e.toString());
    }

    @Test
    void http10IsAnsweredAndTheConnectionClosed() throws IOException {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("GET /ping HTTP/1.0\r\n\r\n", "Pong");
        cases.put("GET / HTTP/1.0\r\nUser-Agent: check_http\r\n\r\n", "Hello, world");
        cases.put("GET /v1/query/alias1@example.org HTTP/1.0\r\nHost: x\r\n" + KEY + "\r\n", "alias1@example.org");
        cases.put("GET /metrics HTTP/1.0\r\nConnection: other\r\n\r\n", "xspct_db_requests_total");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            RawHttp.Exchange e = send(c.getKey() + "GET /ping HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(1, e.answers().size(), c.getKey() + e);
            RawHttp.Answer a = e.answers().getFirst();
            assertTrue(a.statusLine().startsWith("HTTP/1.0 200 "), c.getKey() + e);
            assertTrue(a.body().contains(c.getValue()), c.getKey() + e);
            assertTrue(a.closes(), c.getKey() + e);
        }
    }

    /** HTTP/1.0 keep-alive: each answer says so, the connection serves the next request, until one does not ask. */
    @Test
    void http10KeepAliveServesRequestsOnOneConnection() throws IOException {
        String json = "{\"users\": [\"alias1@example.org\"]}";
        List<String> requests = List.of(
                "GET /ping HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
                "POST /v1/query-json HTTP/1.0\r\nConnection: Keep-Alive\r\n" + KEY
                        + "Content-Type: application/json\r\nContent-Length: " + json.length() + "\r\n\r\n" + json,
                "GET /metrics HTTP/1.0\r\nconnection: keep-alive\r\n\r\n",
                // HTTP/1.1 in between, chunked: its body's end is found too
                chunked("/v1/query-json", Integer.toHexString(json.length()) + ";x\r\n" + json + "\r\n0\r\n\r\n"),
                "GET /v1/query/alias1@example.org HTTP/1.0\r\nHost: x\r\n" + KEY + "\r\n",
                "GET /ping HTTP/1.1\r\nHost: x\r\n\r\n");
        List<String> versions = List.of("HTTP/1.0", "HTTP/1.0", "HTTP/1.0", "HTTP/1.1", "HTTP/1.0");
        List<String> bodies = List.of("Pong", "alias1@example.org", "xspct_db_requests_total", "alias1@example.org",
                "alias1@example.org");
        // one request at a time, as a probe sends them
        try (RawHttp.Conversation c = RawHttp.Conversation.open(server.port(), SILENCE_MS)) {
            for (int i = 0; i < versions.size(); i++) {
                RawHttp.Answer a = c.ask(requests.get(i));
                String what = i + ": " + a;
                assertTrue(a.statusLine().startsWith(versions.get(i) + " 200 "), what);
                assertTrue(a.body().contains(bodies.get(i)), what);
                assertEquals(i != 4, a.headers().contains("connection: keep-alive"), what);
                assertEquals(i == 4, a.closes(), what);
            }
            assertTrue(c.closedByServer(), "the last HTTP/1.0 request did not ask for keep-alive");
        }
        // all at once: the same answers, and nothing read after the one that closes
        RawHttp.Exchange e = send(String.join("", requests));
        assertEquals(versions.size(), e.answers().size(), e.toString());
        for (int i = 0; i < versions.size(); i++) {
            assertTrue(e.answers().get(i).statusLine().startsWith(versions.get(i) + " 200 "), i + ": " + e);
            assertTrue(e.answers().get(i).body().contains(bodies.get(i)), i + ": " + e);
        }
        assertEquals("", e.trailing(), e.toString());
    }

    @Test
    void http10WithCurl() throws Exception {
        Process curl = new ProcessBuilder("curl", "-0", "-s", "-i", "--max-time", "5",
                "http://127.0.0.1:" + server.port() + "/ping").redirectErrorStream(true).start();
        String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertTrue(curl.waitFor(10, TimeUnit.SECONDS), out);
        assertEquals(0, curl.exitValue(), out);
        assertTrue(out.startsWith("HTTP/1.0 200 "), out);
        assertTrue(out.endsWith("\r\n\r\nPong"), out);
    }

    @Test
    void controlCharactersInLoggedValuesAreEscaped() throws Exception {
        String forged = "a@example.org\\r\\nXspct_DB CRITICAL forged\\n";
        RawHttp.Exchange e = send("POST /v1/rspamd-settings HTTP/1.1\r\nHost: x\r\n" + KEY
                + "Content-Type: application/json\r\nConnection: close\r\nContent-Length: "
                + ("{\"from\": \"" + forged + "\", \"rcpts\": [\"" + forged + "\"]}").length() + "\r\n\r\n"
                + "{\"from\": \"" + forged + "\", \"rcpts\": [\"" + forged + "\"]}");
        assertEquals(200, e.answers().getFirst().status(), e.toString());
        String log = server.stdout();
        assertTrue(log.lines().noneMatch(l -> l.startsWith("Xspct_DB CRITICAL")), log);
        assertTrue(log.lines().anyMatch(l -> l.startsWith("Xspct_DB INFO ")
                && l.contains("from=a@example.org\\r\\nXspct_DB CRITICAL forged\\n rcpts=1")), log);
    }

    /**
     * SIGTERM under a keep-alive load, three times: every request sent on an open connection is answered (the last
     * ones with {@code Connection: close}); a client stops when it can no longer connect. A connection that the
     * kernel accepted into the listen queue just as the server closed its listening socket is reset before the
     * server ever read from it: like a refused connection, that is not a request the server dropped.
     */
    @Test
    void stopUnderKeepAliveLoadAnswersEveryRequest() throws Exception {
        for (int round = 0; round < 3; round++) {
            Distribution dist = Distribution.shared();
            try (RunningServer s = RunningServer.start(dist, dist.writeConfig("stop-load.yml", CONFIG))) {
                int clients = 4;
                CountDownLatch warm = new CountDownLatch(clients);
                AtomicLong answered = new AtomicLong();
                List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
                List<Thread> threads = new ArrayList<>();
                for (int i = 0; i < clients; i++) {
                    threads.add(Thread.ofPlatform().start(() -> load(s.port(), warm, answered, failures)));
                }
                assertTrue(warm.await(60, TimeUnit.SECONDS), "clients did not get going");
                assertEquals(0, s.stop());
                for (Thread t : threads) {
                    t.join(TimeUnit.SECONDS.toMillis(30));
                    assertTrue(!t.isAlive(), "a client is still waiting for an answer");
                }
                assertEquals(List.of(), failures, "round " + round + ", " + answered.get() + " answered");
                assertTrue(answered.get() > 0);
            }
        }
    }

    /** Sends requests on keep-alive connections until the server can no longer be reached. */
    private static void load(int port, CountDownLatch warm, AtomicLong answered, List<String> failures) {
        byte[] request = ("GET /v1/query/alias1@example.org HTTP/1.1\r\nHost: x\r\n" + KEY + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        int mine = 0;
        while (true) {
            Socket socket;
            try {
                socket = new Socket("127.0.0.1", port);
                socket.setSoTimeout(10_000);
            } catch (ConnectException e) {
                return; // stopped
            } catch (IOException e) {
                failures.add("connect: " + e);
                return;
            }
            int onThisConnection = 0;
            try (Socket sock = socket) {
                OutputStream out = sock.getOutputStream();
                InputStream in = new BufferedInputStream(sock.getInputStream());
                while (true) {
                    try {
                        out.write(request);
                        out.flush();
                    } catch (IOException e) {
                        // closed by the server before this request was written: nothing was sent
                        break;
                    }
                    String head = readHead(in);
                    if (head == null && onThisConnection == 0) {
                        return; // never served: the listener was closing
                    }
                    if (head == null) {
                        failures.add("a request on a keep-alive connection got no answer");
                        break;
                    }
                    onThisConnection++;
                    int length = contentLength(head);
                    in.readNBytes(length);
                    answered.incrementAndGet();
                    if (++mine == 20) {
                        warm.countDown();
                    }
                    if (head.toLowerCase(Locale.ROOT).contains("\r\nconnection: close\r\n")) {
                        break;
                    }
                }
            } catch (IOException e) {
                if (onThisConnection == 0) {
                    return; // reset before the server ever read from it: the listener was closing
                }
                failures.add("a request on a keep-alive connection got no answer: " + e);
            }
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        for (int c; (c = in.read()) >= 0; ) {
            head.write(c);
            state = (c == '\r' && (state == 0 || state == 2)) ? state + 1
                    : (c == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
            if (state == 4) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Integer.parseInt(line.substring(15).trim());
            }
        }
        return 0;
    }
}
