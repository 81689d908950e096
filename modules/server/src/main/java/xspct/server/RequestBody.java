package xspct.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.OptionalLong;

import io.helidon.http.media.ReadableEntity;
import io.helidon.webserver.http.ServerRequest;

/**
 * Reads a request body into one array of the length the client declared. Reading it as {@code byte[]} through
 * Helidon's media support goes through {@link InputStream#readAllBytes}, which starts with a 16 KiB buffer: most of
 * what a small query-json or rspamd-settings request allocated.
 */
final class RequestBody {
    /**
     * Larger declared lengths are read the general way: the array is allocated before the body arrives, so a client
     * must not be able to make it large (Helidon refuses lengths over {@code xspct_db_client_max_size} first anyway).
     */
    private static final long PREALLOCATE_MAX = 1 << 20;

    private RequestBody() {
    }

    /**
     * Reads the whole body.
     *
     * @param req the request
     * @return the body; empty when the request has none
     * @throws UncheckedIOException when reading fails
     */
    static byte[] read(ServerRequest req) {
        ReadableEntity content = req.content();
        if (!content.hasEntity()) {
            return new byte[0];
        }
        OptionalLong declared = req.headers().contentLength();
        if (declared.isEmpty() || declared.getAsLong() > PREALLOCATE_MAX) {
            return content.as(byte[].class); // chunked: the length is known at the end only
        }
        byte[] body = new byte[(int) declared.getAsLong()];
        try (InputStream in = content.inputStream()) {
            int n = in.readNBytes(body, 0, body.length);
            return n == body.length ? body : Arrays.copyOf(body, n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
