package xspct.server;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code GET /} and {@code GET /ping}: unauthenticated health answers.
 */
final class HealthService implements HttpService {
    static final List<String> PATHS = List.of("/", "/ping", "/ping/");
    private static final byte[] HELLO = "Hello, world".getBytes(StandardCharsets.UTF_8);
    private static final byte[] PONG = "Pong".getBytes(StandardCharsets.UTF_8);

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::hello).get("/ping", this::ping).get("/ping/", this::ping);
    }

    private void hello(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, PlainText.TEXT);
        res.header(HeaderNames.CONNECTION, "Keep-Alive");
        res.send(HELLO);
    }

    private void ping(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, PlainText.TEXT);
        res.send(PONG);
    }
}
