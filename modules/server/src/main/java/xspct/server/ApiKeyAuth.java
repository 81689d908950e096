package xspct.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import xspct.core.config.Settings;

/**
 * API-key check of the query endpoints : the configured header is compared in constant time against
 * every configured key. Non-ASCII values are rejected without comparing.
 */
final class ApiKeyAuth {
    private final HeaderName header;
    private final List<byte[]> keys;
    private final boolean verifyFail;

    ApiKeyAuth(Settings settings) {
        this.header = HeaderNames.create(settings.apiHeader());
        this.keys = settings.apiKeys().stream().map(k -> k.getBytes(StandardCharsets.UTF_8)).toList();
        this.verifyFail = settings.apiKeyVerifyFail();
    }

    /** {@return true when the request may proceed (valid key, or permissive mode)} */
    boolean allows(ServerRequest req) {
        return !verifyFail || valid(presented(req));
    }

    /** {@return the value of the API-key header; empty when absent} */
    String presented(ServerRequest req) {
        return req.headers().first(header).orElse("");
    }

    /** {@return the configured API-key header} */
    HeaderName header() {
        return header;
    }

    boolean valid(String presented) {
        for (int i = 0; i < presented.length(); i++) {
            if (presented.charAt(i) > 0x7e) {
                return false;
            }
        }
        byte[] p = presented.getBytes(StandardCharsets.UTF_8);
        boolean ok = false;
        for (byte[] k : keys) {
            ok |= MessageDigest.isEqual(p, k); // no early exit: every key is compared
        }
        return ok;
    }
}
