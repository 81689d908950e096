package xspct.server;

import java.nio.charset.StandardCharsets;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Plain-text answers with the original's bodies.
 */
final class PlainText {
    static final String TEXT = "text/plain; charset=utf-8";
    private static final System.Logger LOG = System.getLogger(PlainText.class.getName());
    private static final int MAX_LOGGED = 300;

    private PlainText() {
    }

    static void send(ServerResponse res, int status, String body) {
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, TEXT);
        res.send(body.getBytes(StandardCharsets.UTF_8));
    }

    static void notFound(ServerRequest req, ServerResponse res) {
        send(res, 404, "404: Not Found");
    }

    /**
     * Requests the server refuses before routing (a malformed percent escape in the path, a malformed header):
     * {@code 400 Bad Request} as text, as the original and docs/api.md say, instead of an empty body. Other
     * events keep Helidon's answer.
     */
    static DirectHandler.TransportResponse direct(DirectHandler.TransportRequest req, DirectHandler.EventType event,
                                                  Status status, ServerResponseHeaders headers, String message) {
        if (status.code() != 400) {
            return DirectHandler.defaultHandler().handle(req, event, status, headers, message);
        }
        DirectHandler.TransportResponse.Builder b = DirectHandler.TransportResponse.builder().status(status);
        if (headers != null) { // none when the request line itself is malformed
            b.headers(headers);
        }
        return b.header(HeaderNames.CONTENT_TYPE, TEXT).keepAlive(false)
                .entity("400 Bad Request".getBytes(StandardCharsets.UTF_8)).build();
    }

    static void internalError(ServerRequest req, ServerResponse res, Throwable t) {
        // the exception's text may quote client input: cut it short
        String what = String.valueOf(t);
        LOG.log(System.Logger.Level.ERROR, "unhandled error on " + req.prologue().method().text() + " "
                + req.path().path() + ": " + (what.length() > MAX_LOGGED ? what.substring(0, MAX_LOGGED) + "..." : what));
        send(res, 500, "500 Internal Server Error\n\nServer got itself in trouble");
    }
}
