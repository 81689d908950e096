package xspct.server;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import xspct.api.ChangeFeedStatus;
import xspct.core.XspctService;
import xspct.core.codec.BodyFormat;
import xspct.core.codec.JsonCodec;
import xspct.core.stats.ChangeFeedStatistics;

/**
 * {@code GET /v1/change-feed}: the state of every change feed of this instance (see docs/change-feed.md). Needs a
 * valid API key even in permissive mode: it shows database hosts and lease holders.
 */
final class ChangeFeedService implements HttpService {
    static final List<String> PATHS = List.of("/v1/change-feed", "/v1/change-feed/");

    private final XspctService service;
    private final ApiKeyAuth auth;
    private final HeaderName header;

    ChangeFeedService(XspctService service, ApiKeyAuth auth) {
        this.service = service;
        this.auth = auth;
        this.header = HeaderNames.create(service.settings().apiHeader());
    }

    @Override
    public void routing(HttpRules rules) {
        for (String p : PATHS) {
            rules.get(p, this::status);
        }
    }

    private void status(ServerRequest req, ServerResponse res) {
        if (!auth.valid(req.headers().first(header).orElse(""))) {
            PlainText.send(res, 401, "401 Unauthorized");
            return;
        }
        res.header(HeaderNames.CONTENT_TYPE, BodyFormat.JSON.contentType());
        res.send(JsonCodec.write(body(service.statistics().changeFeeds(), Instant.now())));
    }

    /** The answer: {@code {"enabled": true, "sources": [{...}, ...]}}. */
    static Map<String, Object> body(ChangeFeedStatistics feeds, Instant now) {
        List<Object> sources = new ArrayList<>();
        for (ChangeFeedStatistics.Feed s : feeds.feeds()) {
            ChangeFeedStatus st = s.status();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("query", s.query());
            m.put("state", st.state());
            m.put("source", st.source());
            m.put("position", st.position());
            m.put("position_age_seconds", age(st.positionSavedAt(), now));
            m.put("last_event_age_seconds", age(st.lastEventAt(), now));
            m.put("events", s.events());
            m.put("flushes", s.flushes());
            long lag = s.lastLagNanos();
            m.put("last_lag_seconds", lag < 0 ? null : lag / 1e9);
            m.put("lease_holder", st.leaseHolder());
            m.put("last_error", st.lastError());
            sources.add(m);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("enabled", feeds.enabled());
        body.put("sources", sources);
        return body;
    }

    private static Double age(Instant at, Instant now) {
        return at == null ? null : Duration.between(at, now).toMillis() / 1000.0;
    }
}
