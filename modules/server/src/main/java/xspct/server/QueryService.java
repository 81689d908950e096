package xspct.server;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import xspct.core.XspctService;
import xspct.core.codec.BodyCodecs;
import xspct.core.codec.BodyFormat;
import xspct.core.codec.MalformedBodyException;
import xspct.core.config.Settings;
import xspct.core.EndpointResult;
import xspct.core.Endpoints;

/**
 * {@code GET /v1/query/{user}} and {@code POST /v1/query-json} with their legacy and trailing-slash paths.
 * Handlers translate HTTP to an {@link Endpoints} call and back.
 */
final class QueryService implements HttpService {
    private static final System.Logger LOG = System.getLogger(QueryService.class.getName());
    private static final Header KEEP_ALIVE = HeaderValues.createCached(HeaderNames.CONNECTION, "Keep-Alive");
    /** One header per content type of the codecs (a handful), made once instead of per answer. */
    private static final Map<String, Header> CONTENT_TYPES = new ConcurrentHashMap<>();
    static final List<String> GET_PATHS = List.of("/v1/query/{user}", "/v1/query/{user}/", "/query/v1/{user}",
            "/query/v1/{user}/");
    /**
     * The router matches decoded paths, so {@code /v1/query/a%2Fb@example.org} has two segments there; the original
     * routes on the raw path, where an encoded slash stays inside the {@code {user}} segment.
     */
    private static final List<String> ENCODED_SLASH_PATHS = List.of("/v1/query/{+user}", "/query/v1/{+user}");
    static final List<String> POST_PATHS = List.of("/v1/query-json", "/v1/query-json/", "/query-json/v1",
            "/query-json/v1/");

    private final Endpoints endpoints;
    private final XspctService service;
    private final ApiKeyAuth auth;
    private final SlowClientGuard guard;
    private final int maxUsers;
    private final double requestTimeout;
    private final HeaderName timeoutHeader;
    private final double timeoutHeaderMax;

    QueryService(XspctService service, ApiKeyAuth auth, SlowClientGuard guard) {
        Settings s = service.settings();
        this.endpoints = service.endpoints();
        this.service = service;
        this.auth = auth;
        this.guard = guard;
        this.maxUsers = s.queryJsonMaxUsers();
        this.requestTimeout = s.requestTimeout();
        this.timeoutHeader = s.requestTimeoutHeader().isBlank() ? null : HeaderNames.create(s.requestTimeoutHeader());
        this.timeoutHeaderMax = s.requestTimeoutHeaderMax();
    }

    @Override
    public void routing(HttpRules rules) {
        for (String p : GET_PATHS) {
            rules.route(Method.GET, UserPath.of(p), this::query);
        }
        for (String p : ENCODED_SLASH_PATHS) {
            rules.route(Method.GET, UserPath.of(p), this::queryEncodedSlash);
        }
        for (String p : POST_PATHS) {
            rules.post(p, this::queryJson);
        }
    }

    private void query(ServerRequest req, ServerResponse res) throws Exception {
        service.countQueryRequest();
        if (!auth.allows(req)) {
            PlainText.send(res, 401, "401 Unauthorized");
            return;
        }
        String user = PathSegment.lastSegment(req.path().rawPathNoParams());
        if (user.isEmpty()) {
            PlainText.notFound(req, res);
            return;
        }
        send(res, endpoints.get(user, timeout(req), format(req, endpoints.codecs())));
    }

    /** A decoded path of several segments: a lookup when the raw path has one {@code {user}} segment, else 404. */
    private void queryEncodedSlash(ServerRequest req, ServerResponse res) throws Exception {
        String raw = req.path().rawPathNoParams();
        String rest = raw.substring(raw.indexOf('/', 1) + 1);
        rest = rest.substring(rest.indexOf('/') + 1);
        if (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        if (rest.isEmpty() || rest.indexOf('/') >= 0) {
            PlainText.notFound(req, res);
            return;
        }
        query(req, res);
    }

    /** The timeout header may set (and raise) the timeout of a GET, capped by its maximum. */
    private double timeout(ServerRequest req) {
        if (timeoutHeader == null) {
            return requestTimeout;
        }
        String v = req.headers().first(timeoutHeader).orElse(null);
        if (v == null) {
            return requestTimeout;
        }
        double t;
        try {
            t = Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            return requestTimeout;
        }
        if (!(t > 0)) {
            LOG.log(System.Logger.Level.WARNING, "ignoring " + timeoutHeader.defaultCase() + ": " + v
                    + " (must be greater than 0)");
            return requestTimeout;
        }
        return Math.min(t, timeoutHeaderMax);
    }

    private void queryJson(ServerRequest req, ServerResponse res) throws Exception {
        if (!auth.allows(req)) {
            PlainText.send(res, 401, "401 Unauthorized");
            return;
        }
        BodyCodecs codecs = endpoints.codecs();
        String contentType = contentType(req);
        byte[] body = guard.readBody(req);
        BodyFormat format = format(req, codecs);
        Optional<EndpointResult> answered = endpoints.queryJsonSeen(contentType, body, format);
        if (answered.isPresent()) {
            send(res, answered.get());
            return;
        }
        List<String> users;
        try {
            users = parseUsers(codecs.decode(contentType, body));
        } catch (MalformedBodyException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "query-json: unreadable body: " + e.getMessage());
            PlainText.send(res, 400, "400 Bad Request");
            return;
        }
        if (users.size() > maxUsers) {
            PlainText.send(res, 400, "400 Bad Request: too many users");
            return;
        }
        send(res, endpoints.queryJson(users, format, contentType, body));
    }

    static String contentType(ServerRequest req) {
        return req.headers().first(HeaderNames.CONTENT_TYPE).orElse(null);
    }

    static BodyFormat format(ServerRequest req, BodyCodecs codecs) {
        return codecs.negotiate(req.headers().first(HeaderNames.ACCEPT).orElse(null), contentType(req));
    }

    /** The query-json body : {@code {"users": [string, ...]}}; anything but an object counts as {}. */
    static List<String> parseUsers(Object doc) {
        if (!(doc instanceof Map<?, ?> m) || !m.containsKey("users")) {
            return List.of();
        }
        if (!(m.get("users") instanceof List<?> l)) {
            throw new MalformedBodyException("users is not a list");
        }
        List<String> users = new ArrayList<>(l.size());
        for (Object o : l) {
            if (o instanceof String s) {
                users.add(s);
            } else if (o instanceof byte[] b) {
                users.add(utf8(b)); // MessagePack bin: the original decodes it as UTF-8 text
            } else {
                throw new MalformedBodyException("users must be strings");
            }
        }
        return users;
    }

    private static String utf8(byte[] b) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedBodyException("a binary user is not UTF-8");
        }
    }

    /** Writes an endpoint's answer: 200 with the body, or the plain-text 500/503/504 of the original. */
    static void send(ServerResponse res, EndpointResult result) {
        switch (result) {
            case EndpointResult.Body b -> {
                res.status(Status.OK_200);
                res.header(CONTENT_TYPES.computeIfAbsent(b.contentType(),
                        t -> HeaderValues.createCached(HeaderNames.CONTENT_TYPE, t)));
                res.header(KEEP_ALIVE);
                if (!b.source().isEmpty()) {
                    res.header(SnapshotsService.SOURCE, b.source());
                }
                res.send(b.body());
            }
            case EndpointResult.Failure f -> PlainText.send(res, 500, f.body());
            case EndpointResult.Overloaded o -> PlainText.send(res, 503, "503 Service Overloaded");
            case EndpointResult.TimedOut t -> PlainText.send(res, 504, "504 Request Timeout");
        }
    }
}
