package xspct.bench.floor;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.WebServer;

/**
 * A bare Helidon SE 4 server answering {@code GET /ping} with {@code Pong}: what the framework costs on its own, the
 * floor our figures are compared with. Listens on 127.0.0.1, on the port given (0 = a free one), and prints the port
 * in the line the benchmark scripts wait for.
 *
 * <p>It also answers {@code GET /v1/query/{user}} with the fixed answer of the bench's first user, with the headers
 * of ours: what the framework alone costs for a lookup's path, response headers and body, the most a cached GET can
 * reach. And {@code POST /v1/query-json}: it reads the request body (as the server does) and answers the fixed answer of the bench's first
 * three users, with the same headers: what the framework alone costs for a batch's request (a POST with a body and
 * more headers) and answer, the most a query-json can reach.
 */
public final class Floor {
    private static final byte[] ANSWER = ("{\"users\": {" + user(0) + "}}").getBytes(StandardCharsets.US_ASCII);
    private static final byte[] BATCH = ("{\"users\": {" + user(0) + ", " + user(1) + ", " + user(2) + "}}")
            .getBytes(StandardCharsets.US_ASCII);
    private static final Header JSON = HeaderValues.createCached(HeaderNames.CONTENT_TYPE, "application/json");
    private static final Header KEEP_ALIVE = HeaderValues.createCached(HeaderNames.CONNECTION, "Keep-Alive");

    private Floor() {
    }

    /** A bench user's entry in an answer, as the server encodes it. */
    private static String user(int n) {
        String id = String.format("u%04d", n);
        return "\"" + id + "@example.com\": {\"mail\": [\"" + id + "@example.com\"], \"uid\": [\"" + id
                + "\"], \"quota\": [\"1024\"], \"greylisting\": [\"TRUE\"], \"reject_level\": [\"5\"]}";
    }

    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        WebServer server = WebServer.builder()
                .host("127.0.0.1")
                .port(port)
                .routing(r -> r.get("/ping", (req, res) -> res.send("Pong"))
                        .get("/v1/query/{user}", (req, res) -> res.header(JSON).header(KEEP_ALIVE).send(ANSWER))
                        .post("/v1/query-json", (req, res) -> {
                            // the body read as cheaply as the server reads it: one array of the declared length
                            // (Helidon's content().as(byte[].class) starts with a 16 KiB buffer)
                            byte[] body = new byte[(int) req.headers().contentLength().orElse(0)];
                            try (InputStream in = req.content().inputStream()) {
                                in.readNBytes(body, 0, body.length);
                            }
                            res.header(JSON).header(KEEP_ALIVE).send(BATCH);
                        }))
                .build()
                .start();
        System.out.println("floor listening on 127.0.0.1:" + server.port());
    }
}
