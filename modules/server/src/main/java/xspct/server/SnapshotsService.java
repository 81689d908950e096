package xspct.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import xspct.api.SnapshotSubscription;
import xspct.api.SnapshotVersion;
import xspct.core.Snapshots;
import xspct.core.codec.BodyFormat;
import xspct.core.codec.JsonCodec;

/**
 * The snapshot endpoints. On a central instance: {@code GET /v1/snapshots} (the published versions),
 * {@code GET /v1/snapshots/latest} (the newest signed manifest) and {@code GET /v1/snapshots/{version}} (the file,
 * with its SHA-256 as ETag). On an edge: {@code GET /v1/snapshots} (the local versions and which one serves),
 * {@code POST /v1/snapshots/rollback} and {@code POST /v1/snapshots/follow}. Every one needs a valid API key, also
 * in permissive mode. 404 when this instance neither publishes nor subscribes.
 */
final class SnapshotsService implements HttpService {
    /** Marks an answer of an edge snapshot: {@code snapshot/<version>}. */
    static final HeaderName SOURCE = HeaderNames.create("X-Xspct-Source");
    static final List<String> GET_PATHS = List.of("/v1/snapshots", "/v1/snapshots/latest",
            "/v1/snapshots/{version}");
    static final List<String> POST_PATHS = List.of("/v1/snapshots/rollback", "/v1/snapshots/follow");
    private static final String SQLITE = "application/vnd.sqlite3";

    private final Snapshots snapshots;
    private final ApiKeyAuth auth;

    SnapshotsService(Snapshots snapshots, ApiKeyAuth auth) {
        this.snapshots = snapshots;
        this.auth = auth;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/v1/snapshots", this::list)
                .get("/v1/snapshots/latest", this::latest)
                .post("/v1/snapshots/rollback", (req, res) -> move(req, res, SnapshotSubscription::rollback))
                .post("/v1/snapshots/follow", (req, res) -> move(req, res, SnapshotSubscription::follow))
                .get("/v1/snapshots/{version}", this::file);
    }

    /** Authenticates and checks that snapshots are on; answers the request when not. */
    private boolean refused(ServerRequest req, ServerResponse res) {
        if (!auth.valid(auth.presented(req))) {
            PlainText.send(res, 401, "401 Unauthorized");
            return true;
        }
        if (!snapshots.enabled()) {
            PlainText.send(res, 404, "404: Not Found (snapshots are not enabled on this instance)");
            return true;
        }
        return false;
    }

    private void list(ServerRequest req, ServerResponse res) {
        if (refused(req, res)) {
            return;
        }
        List<Map<String, Object>> versions = new ArrayList<>();
        String serving = null;
        for (SnapshotVersion v : snapshots.versions()) {
            versions.add(describe(v));
            if (v.serving()) {
                serving = v.version();
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("role", snapshots.subscription().isPresent() ? "edge" : "central");
        snapshots.subscription().ifPresent(s -> body.put("mode", s.primary() ? "primary" : "fallback"));
        snapshots.lease().ifPresent(lease -> {
            // under a change feed lease only its holder builds; the others serve what their directory holds
            body.put("lease", lease);
            body.put("builds", !"follower".equals(lease));
            body.put("skipped_builds", snapshots.skippedBuilds());
        });
        body.put("serving", serving);
        body.put("versions", versions);
        json(res, body);
    }

    private static Map<String, Object> describe(SnapshotVersion v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", v.version());
        m.put("created", v.created().toString());
        m.put("size", v.size());
        m.put("sha256", v.sha256());
        m.put("serving", v.serving());
        m.put("pinned", v.pinned());
        return m;
    }

    private void latest(ServerRequest req, ServerResponse res) {
        if (refused(req, res)) {
            return;
        }
        Optional<byte[]> m = snapshots.latestManifest();
        if (m.isEmpty()) {
            PlainText.send(res, 404, "404: Not Found (no snapshot published yet)");
            return;
        }
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, PlainText.TEXT);
        res.send(m.get());
    }

    private void file(ServerRequest req, ServerResponse res) throws IOException {
        if (refused(req, res)) {
            return;
        }
        String version = req.path().pathParameters().get("version");
        Optional<SnapshotVersion> v = snapshots.publisher().flatMap(p -> p.versions().stream()
                .filter(x -> x.version().equals(version)).findFirst());
        Optional<Path> file = snapshots.file(version);
        if (v.isEmpty() || file.isEmpty()) {
            PlainText.send(res, 404, "404: Not Found (no such snapshot version)");
            return;
        }
        String etag = "\"" + v.get().sha256() + "\"";
        res.header(HeaderNames.ETAG, etag);
        if (req.headers().first(HeaderNames.IF_NONE_MATCH).map(etag::equals).orElse(false)) {
            res.status(Status.NOT_MODIFIED_304);
            res.send();
            return;
        }
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, SQLITE);
        res.contentLength(Files.size(file.get()));
        try (InputStream in = Files.newInputStream(file.get()); OutputStream out = res.outputStream()) {
            in.transferTo(out);
        }
    }

    /** Rollback or follow on an edge. */
    private void move(ServerRequest req, ServerResponse res,
                      Function<SnapshotSubscription, SnapshotVersion> step) {
        if (refused(req, res)) {
            return;
        }
        Optional<SnapshotSubscription> s = snapshots.subscription();
        if (s.isEmpty()) {
            PlainText.send(res, 409, "409 Conflict: this instance does not subscribe to snapshots");
            return;
        }
        try {
            json(res, describe(step.apply(s.get())));
        } catch (IllegalStateException e) {
            PlainText.send(res, 409, "409 Conflict: " + e.getMessage());
        }
    }

    private static void json(ServerResponse res, Object body) {
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, BodyFormat.JSON.contentType());
        res.send(JsonCodec.write(body));
    }
}
