package xspct.server;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;

/**
 * Other methods on a known path answer 405 with an {@code Allow} header, as the original does.
 */
final class MethodNotAllowed {
    private MethodNotAllowed() {
    }

    static void register(HttpRouting.Builder r, String allow, java.util.List<String> paths) {
        for (String p : paths) {
            r.any(p, (req, res) -> {
                res.header(HeaderNames.ALLOW, allow);
                PlainText.send(res, 405, "405: Method Not Allowed");
            });
        }
    }
}
