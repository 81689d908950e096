package xspct.server;

import java.util.List;
import java.util.Optional;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import xspct.core.XspctService;
import xspct.core.codec.BodyFormat;
import xspct.core.codec.MalformedBodyException;
import xspct.core.Endpoints;
import xspct.core.RspamdRequest;

/**
 * {@code POST /v1/rspamd-settings} with its legacy and trailing-slash paths: the settings Rspamd applies to a
 * message, from the users of its sender and recipients .
 */
final class RspamdService implements HttpService {
    private static final System.Logger LOG = System.getLogger(RspamdService.class.getName());
    static final List<String> PATHS = List.of("/v1/rspamd-settings", "/v1/rspamd-settings/", "/rspamd-settings/v1",
            "/rspamd-settings/v1/");

    private final Endpoints endpoints;
    private final ApiKeyAuth auth;
    private final SlowClientGuard guard;
    private final HeaderName rspamdHeader;

    RspamdService(XspctService service, ApiKeyAuth auth, SlowClientGuard guard) {
        this.endpoints = service.endpoints();
        this.auth = auth;
        this.guard = guard;
        String h = service.settings().rspamdHeader();
        this.rspamdHeader = h.isBlank() ? null : HeaderNames.create(h);
    }

    @Override
    public void routing(HttpRules rules) {
        for (String p : PATHS) {
            rules.post(p, this::settings);
        }
    }

    private void settings(ServerRequest req, ServerResponse res) throws Exception {
        if (!auth.allows(req)) {
            PlainText.send(res, 401, "401 Unauthorized");
            return;
        }
        String contentType = QueryService.contentType(req);
        byte[] body = guard.readBody(req);
        BodyFormat format = QueryService.format(req, endpoints.codecs());
        String headerId = headerId(req);
        Optional<Endpoints.Recalled> recalled = endpoints.rspamdSettingsSeen(contentType, body, format, headerId);
        if (recalled.isPresent()) {
            tag(recalled.get().logId());
            QueryService.send(res, recalled.get().result());
            return;
        }
        RspamdRequest request;
        try {
            request = RspamdRequest.of(endpoints.codecs().decode(contentType, body));
        } catch (MalformedBodyException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "rspamd settings <" + headerId + ">: unreadable body: "
                    + e.getMessage());
            PlainText.send(res, 400, "400 Bad Request");
            return;
        }
        String id = Endpoints.logId(request.uid(), headerId);
        tag(id);
        QueryService.send(res, endpoints.rspamdSettings(request, format, id, contentType, body));
    }

    private static void tag(String id) {
        if (!id.isEmpty()) {
            RequestObserver.tagRspamdId(id);
        }
    }

    private String headerId(ServerRequest req) {
        return rspamdHeader == null ? "" : req.headers().first(rspamdHeader).orElse("");
    }
}
