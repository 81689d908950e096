package xspct.bench.floor;

import io.helidon.webserver.WebServer;

/**
 * A bare Helidon SE 4 server answering {@code GET /ping} with {@code Pong}: what the framework costs on its own, the
 * floor our figures are compared with. Listens on 127.0.0.1, on the port given (0 = a free one), and prints the port
 * in the line the benchmark scripts wait for.
 */
public final class Floor {
    private Floor() {
    }

    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        WebServer server = WebServer.builder()
                .host("127.0.0.1")
                .port(port)
                .routing(r -> r.get("/ping", (req, res) -> res.send("Pong")))
                .build()
                .start();
        System.out.println("floor listening on 127.0.0.1:" + server.port());
    }
}
