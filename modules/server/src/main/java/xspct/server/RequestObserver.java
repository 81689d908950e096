package xspct.server;

import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import xspct.core.log.LogContext;

/**
 * The one routing filter, around every request: gives it a session id that every log line of the request carries (with the Rspamd id
 * of the {@code xspct_db_rspamd_header} header, or of the body's {@code uid} once read), logs it at DEBUG with the
 * API-key and authorization headers masked (docs/compatibility.md: "Requests are authenticated before they are read,
 * and secrets stay out of the logs"), measures it for {@code /metrics} when metrics are on, and lets the slow-client guard know when it is answered
 * ({@link SlowClientGuard#proceed}). One filter instead of two: each filter costs Helidon's chain a step per request.
 */
final class RequestObserver implements Filter {
    private static final System.Logger LOG = System.getLogger(RequestObserver.class.getName());
    private static final String MASK = "***";
    private static final int MAX_ID_LENGTH = 64;

    private static final HexFormat HEX = HexFormat.of();

    private final ServerMetrics metrics;
    private final SlowClientGuard guard;
    private final HeaderName apiHeader;
    private final HeaderName rspamdHeader;

    /**
     * @param metrics  the metrics, or null when {@code /metrics} is off
     * @param settings the front-end settings
     * @param guard    the slow-client guard
     */
    RequestObserver(ServerMetrics metrics, ServerSettings settings, SlowClientGuard guard) {
        this.metrics = metrics;
        this.guard = guard;
        this.apiHeader = HeaderNames.create(settings.apiHeader());
        this.rspamdHeader = settings.rspamdHeader().isBlank() ? null : HeaderNames.create(settings.rspamdHeader());
    }

    @Override
    @SuppressWarnings("try") // the scope is what the try is for: the tag lasts as long as the request
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String tag = sessionId();
        if (rspamdHeader != null) {
            String id = req.headers().first(rspamdHeader).orElse("");
            if (!id.isEmpty()) {
                tag = tag + " rspamd=" + sanitize(id);
            }
        }
        String path = req.path().rawPath();
        boolean measured = metrics != null && !path.equals("/metrics") && !path.equals("/metrics/");
        String method = req.prologue().method().text();
        try (LogContext.Scope scope = LogContext.open(tag)) {
            if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
                LOG.log(System.Logger.Level.DEBUG, method + " " + req.prologue().uriPath().rawPath() + " from "
                        + req.remotePeer().host() + " " + headers(req));
            }
            long start = System.nanoTime();
            if (measured) {
                metrics.requestStarted();
            }
            int status = 500;
            try {
                guard.proceed(chain);
                status = res.status().code();
            } catch (CloseConnectionException e) {
                // the connection failed or was cut off by the read timeout: a request that was not received is
                // counted as 408 (nothing is sent), an answer that was not read with its own status
                status = res.isSent() ? res.status().code() : 408;
                throw e;
            } finally {
                long nanos = System.nanoTime() - start;
                if (measured) {
                    // the catch-all 404 route has an empty pattern
                    String route = req.matchingPattern().filter(p -> !p.isEmpty()).orElse(ServerMetrics.UNMATCHED);
                    metrics.requestEnded(method, route, status, nanos);
                }
                if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
                    int s = status;
                    LOG.log(System.Logger.Level.DEBUG, () -> String.format(Locale.ROOT, "answered %d in %.1f ms",
                            s, nanos / 1e6));
                }
            }
        }
    }

    /** The request headers for a DEBUG line, with every credential replaced by {@code ***}. */
    private String headers(RoutingRequest req) {
        StringBuilder sb = new StringBuilder("headers={");
        boolean first = true;
        for (Header h : req.headers()) {
            if (!first) {
                sb.append(", ");
            }
            first = false;
            sb.append(h.name()).append(": ").append(secret(h.headerName()) ? MASK : printable(h.get(), 256));
        }
        return sb.append('}').toString();
    }

    private boolean secret(HeaderName name) {
        return name.equals(apiHeader) || name.equals(HeaderNames.AUTHORIZATION)
                || name.equals(HeaderNames.PROXY_AUTHORIZATION) || name.equals(HeaderNames.COOKIE);
    }

    /**
     * Tags the rest of the current request with an Rspamd id known only from its body ({@code uid}). The tag lasts
     * until the request's scope, opened by {@link #filter}, ends.
     *
     * @param id the id
     */
    @SuppressWarnings("resource") // closed with the request's scope, which restores the tag before it
    static void tagRspamdId(String id) {
        String tag = LogContext.current();
        int at = tag.indexOf(" rspamd=");
        String session = at < 0 ? tag : tag.substring(0, at);
        LogContext.open(session + " rspamd=" + sanitize(id));
    }

    /** Eight hex digits. */
    static String sessionId() {
        return HEX.toHexDigits(ThreadLocalRandom.current().nextInt());
    }

    /** A client's id in a log tag: printable ASCII without blanks, at most 64 characters. */
    static String sanitize(String s) {
        return printable(s, MAX_ID_LENGTH).replace(' ', '_');
    }

    /** Client text in a log line: printable ASCII only (no forged lines), cut at {@code max} characters. */
    static String printable(String s, int max) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), max));
        for (int i = 0; i < s.length() && sb.length() < max; i++) {
            char c = s.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return sb.toString();
    }
}
