package xspct.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import xspct.core.XspctService;
import xspct.core.codec.JsonCodec;
import xspct.core.codec.MalformedBodyException;
import xspct.core.pipeline.Counters;
import xspct.core.pipeline.LookupPipeline;
import xspct.core.pipeline.Reply;

/**
 * {@code GET /v1/query/{user}} and {@code POST /v1/query-json} with their legacy and trailing-slash paths.
 * Handlers translate HTTP to a pipeline call and back.
 */
final class QueryService implements HttpService {
    static final List<String> GET_PATHS = List.of("/v1/query/{user}", "/v1/query/{user}/", "/query/v1/{user}",
            "/query/v1/{user}/");
    static final List<String> POST_PATHS = List.of("/v1/query-json", "/v1/query-json/", "/query-json/v1",
            "/query-json/v1/");
    static final String JSON = "application/json";

    private final LookupPipeline pipeline;
    private final Counters counters;
    private final ApiKeyAuth auth;
    private final int maxUsers;

    QueryService(XspctService service, ApiKeyAuth auth) {
        this.pipeline = service.pipeline();
        this.counters = service.counters();
        this.auth = auth;
        this.maxUsers = service.settings().queryJsonMaxUsers();
    }

    @Override
    public void routing(HttpRules rules) {
        for (String p : GET_PATHS) {
            rules.get(p, this::query);
        }
        for (String p : POST_PATHS) {
            rules.post(p, this::queryJson);
        }
    }

    private void query(ServerRequest req, ServerResponse res) throws InterruptedException {
        counters.inc(Counters.Name.REQUESTS);
        if (!auth.allows(req)) {
            PlainText.send(res, 401, "401 Unauthorized");
            return;
        }
        String user = PathSegment.lastSegment(req.path().rawPathNoParams());
        if (user.isEmpty()) {
            PlainText.notFound(req, res);
            return;
        }
        answer(res, pipeline.get(user));
    }

    private void queryJson(ServerRequest req, ServerResponse res) throws InterruptedException {
        if (!auth.allows(req)) {
            PlainText.send(res, 401, "401 Unauthorized");
            return;
        }
        List<String> users;
        try {
            users = parseUsers(readBody(req), contentType(req));
        } catch (MalformedBodyException e) {
            PlainText.send(res, 400, "400 Bad Request");
            return;
        }
        if (users.size() > maxUsers) {
            PlainText.send(res, 400, "400 Bad Request: too many users");
            return;
        }
        answer(res, pipeline.batch(users));
    }

    private static byte[] readBody(ServerRequest req) {
        if (!req.content().hasEntity()) {
            return new byte[0];
        }
        return req.content().as(byte[].class);
    }

    private static String contentType(ServerRequest req) {
        String ct = req.headers().first(HeaderNames.CONTENT_TYPE).orElse("");
        int semi = ct.indexOf(';');
        return (semi < 0 ? ct : ct.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    }

    /** The query-json body (SPEC 2.3): {@code {"users": [string, ...]}}; anything but an object counts as {}. */
    static List<String> parseUsers(byte[] body, String contentType) {
        if (contentType.equals("application/msgpack") || contentType.equals("application/x-msgpack")) {
            throw new MalformedBodyException("msgpack bodies need the msgpack codec plugin");
        }
        if (body.length == 0) {
            return List.of();
        }
        Object doc = JsonCodec.read(body);
        if (!(doc instanceof Map<?, ?> m) || !m.containsKey("users")) {
            return List.of();
        }
        if (!(m.get("users") instanceof List<?> l)) {
            throw new MalformedBodyException("users is not a list");
        }
        List<String> users = new ArrayList<>(l.size());
        for (Object o : l) {
            if (!(o instanceof String s)) {
                throw new MalformedBodyException("users must be strings");
            }
            users.add(s);
        }
        return users;
    }

    private static void answer(ServerResponse res, Reply reply) {
        switch (reply) {
            case Reply.Failure f -> PlainText.send(res, 500, f.body());
            case Reply.Users u -> {
                res.status(Status.OK_200);
                res.header(HeaderNames.CONTENT_TYPE, JSON);
                res.header(HeaderNames.CONNECTION, "Keep-Alive");
                res.send(JsonCodec.write(Map.of("users", u.users())));
            }
        }
    }
}
