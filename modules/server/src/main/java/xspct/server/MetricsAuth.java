package xspct.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

/**
 * Authentication of {@code /metrics} : open unless {@code xspct_db_metrics_auth.enabled}; then the API-key
 * header (when {@code api_key}), {@code Authorization: Bearer <key>} (same keys, an extension, docs/compatibility.md:
 * "Requests are authenticated before they are read, and secrets stay out of the logs") or
 * {@code Authorization: Basic} with a user of {@code basic_auth_users}. Every comparison is constant-time; permissive
 * mode does not apply.
 */
final class MetricsAuth {
    /** The challenge of a refused scrape. */
    static final String CHALLENGE = "Basic realm=\"xspct-db metrics\", charset=\"UTF-8\"";

    private final boolean enabled;
    private final boolean apiKey;
    private final ApiKeyAuth keys;
    private final Map<String, byte[]> users = new LinkedHashMap<>();

    MetricsAuth(ServerSettings.MetricsAuthSettings s, ApiKeyAuth keys) {
        this.enabled = s.enabled();
        this.apiKey = s.apiKey();
        this.keys = keys;
        s.basicUsers().forEach((u, p) -> users.put(u, p.getBytes(StandardCharsets.UTF_8)));
    }

    /** {@return true when the request may read the metrics} */
    boolean allows(ServerRequest req) {
        if (!enabled) {
            return true;
        }
        String authorization = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        if (apiKey) {
            if (keys.valid(keys.presented(req))) {
                return true;
            }
            if (authorization.startsWith("Bearer ") && keys.valid(authorization.substring(7).trim())) {
                return true;
            }
        }
        return !users.isEmpty() && authorization.startsWith("Basic ") && basic(authorization.substring(6).trim());
    }

    private boolean basic(String encoded) {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return false;
        }
        byte[] user = decoded.substring(0, colon).getBytes(StandardCharsets.UTF_8);
        byte[] password = decoded.substring(colon + 1).getBytes(StandardCharsets.UTF_8);
        boolean ok = false;
        for (Map.Entry<String, byte[]> e : users.entrySet()) {
            // every user is compared, name and password, without an early exit
            boolean nameOk = MessageDigest.isEqual(user, e.getKey().getBytes(StandardCharsets.UTF_8));
            boolean passwordOk = MessageDigest.isEqual(password, e.getValue());
            ok |= nameOk & passwordOk;
        }
        return ok;
    }
}
