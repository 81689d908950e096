package xspct.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import xspct.core.XspctService;
import xspct.core.codec.BodyFormat;
import xspct.core.codec.JsonCodec;
import xspct.core.codec.MalformedBodyException;

/**
 * {@code POST /v1/cache/invalidate}: removes addresses ({@code {"users": [...]}}) or everything
 * ({@code {"all": true}}) from every cache tier of this instance and, through the shared tier, of every instance.
 * Needs a valid API key even in permissive mode: flushing caches is not a query.
 */
final class CacheService implements HttpService {
    static final List<String> PATHS = List.of("/v1/cache/invalidate", "/v1/cache/invalidate/");

    private final XspctService service;
    private final ApiKeyAuth auth;
    private final SlowClientGuard guard;
    private final HeaderName header;

    CacheService(XspctService service, ApiKeyAuth auth, SlowClientGuard guard) {
        this.service = service;
        this.auth = auth;
        this.guard = guard;
        this.header = HeaderNames.create(service.settings().apiHeader());
    }

    @Override
    public void routing(HttpRules rules) {
        for (String p : PATHS) {
            rules.post(p, this::invalidate);
        }
        for (String p : PATHS) {
            rules.any(p, (req, res) -> {
                res.header(HeaderNames.ALLOW, "POST");
                PlainText.send(res, 405, "405: Method Not Allowed");
            });
        }
    }

    private void invalidate(ServerRequest req, ServerResponse res) {
        if (!auth.valid(req.headers().first(header).orElse(""))) {
            PlainText.send(res, 401, "401 Unauthorized");
            return;
        }
        Request r;
        try {
            r = parse(guard.readBody(req));
        } catch (MalformedBodyException e) {
            PlainText.send(res, 400, "400 Bad Request: " + e.getMessage());
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        if (r.all()) {
            service.invalidateAll();
            body.put("all", true);
        } else {
            body.put("invalidated", service.invalidate(r.users()));
        }
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, BodyFormat.JSON.contentType());
        res.send(JsonCodec.write(body));
    }

    /** A parsed body: either every entry or a list of addresses. */
    record Request(boolean all, List<String> users) {
    }

    /**
     * Reads {@code {"users": ["a@example.org", ...]}} or {@code {"all": true}}. Messages name the field at fault,
     * never a value.
     */
    static Request parse(byte[] body) {
        if (body.length == 0) {
            throw new MalformedBodyException("expected a JSON object with \"users\" or \"all\"");
        }
        Object doc;
        try {
            doc = JsonCodec.read(body);
        } catch (MalformedBodyException e) {
            // the parser's message may quote the body; say only what is wrong
            throw new MalformedBodyException("the body is not valid JSON");
        }
        if (!(doc instanceof Map<?, ?> m)) {
            throw new MalformedBodyException("expected a JSON object with \"users\" or \"all\"");
        }
        for (Object k : m.keySet()) {
            if (!"users".equals(k) && !"all".equals(k)) {
                throw new MalformedBodyException("unknown field; expected \"users\" or \"all\"");
            }
        }
        Object all = m.get("all");
        if (all != null && !(all instanceof Boolean)) {
            throw new MalformedBodyException("\"all\" must be true or false");
        }
        boolean everything = Boolean.TRUE.equals(all);
        if (everything && m.containsKey("users")) {
            throw new MalformedBodyException("give either \"users\" or \"all\", not both");
        }
        if (everything) {
            return new Request(true, List.of());
        }
        if (!(m.get("users") instanceof List<?> l)) {
            throw new MalformedBodyException("\"users\" must be a list of addresses");
        }
        List<String> users = new ArrayList<>(l.size());
        for (Object o : l) {
            if (!(o instanceof String s) || s.isEmpty()) {
                throw new MalformedBodyException("\"users\" must contain non-empty strings only");
            }
            users.add(s);
        }
        return new Request(false, List.copyOf(users));
    }
}
