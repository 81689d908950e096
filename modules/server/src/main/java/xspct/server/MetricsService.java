package xspct.server;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code GET} and {@code HEAD /metrics} (and {@code /metrics/}): the Prometheus text format, version 0.0.4, behind
 * the metrics authentication ({@link MetricsAuth}). Registered only when {@code xspct_db_metrics_enabled}; otherwise
 * the paths
 * answer 404 like any unknown path.
 */
final class MetricsService implements HttpService {
    static final List<String> PATHS = List.of("/metrics", "/metrics/");
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final ServerMetrics metrics;
    private final MetricsAuth auth;

    MetricsService(ServerMetrics metrics, MetricsAuth auth) {
        this.metrics = metrics;
        this.auth = auth;
    }

    @Override
    public void routing(HttpRules rules) {
        for (String p : PATHS) {
            rules.get(p, this::scrape).head(p, this::scrape);
        }
    }

    private void scrape(ServerRequest req, ServerResponse res) {
        if (!auth.allows(req)) {
            res.header(HeaderNames.WWW_AUTHENTICATE, MetricsAuth.CHALLENGE);
            PlainText.send(res, 401, "401 Unauthorized");
            return;
        }
        byte[] body = metrics.scrape().getBytes(StandardCharsets.UTF_8);
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, CONTENT_TYPE);
        if (req.prologue().method() == Method.HEAD) {
            res.header(HeaderNames.CONTENT_LENGTH, String.valueOf(body.length));
            res.send();
        } else {
            res.send(body);
        }
    }
}
