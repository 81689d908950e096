package xspct.server;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;

/**
 * Request bodies framed where Helidon 4.5's HTTP/1 decoder is wrong, on connections adapted by {@link Http10Adapter}.
 *
 * <p>As a receive listener, after the guard: a body with {@code Transfer-Encoding: chunked} alone (and no
 * {@code Content-Length}) is read here with {@link ChunkedBody} while the guard's receiving deadline runs, and handed
 * back to Helidon as a {@code Content-Length} body. Helidon's decoder refuses chunk extensions (valid HTTP) with an
 * internal error and, when a chunk's data is longer than its size, skips two bytes without looking at them and waits
 * for a size made of the data; here extensions are dropped and broken framing is answered 400 at once, a body over
 * {@code xspct_db_client_max_size} 413, both closing the connection. A request with no body, or one framed by
 * {@code Content-Length}, costs a header lookup. In a connection kept alive by HTTP/1.0 requests, it tells the
 * adapter where the next request starts.
 *
 * <p>As a send listener ({@link #answers()}): the answer to an HTTP/1.0 request gets its HTTP/1.0 status line and, when
 * the connection stays open, {@code Connection: keep-alive} (HTTP/1.0 closes by default).
 */
final class RequestFraming implements Http1ConnectionListener {
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    @Override
    public void headers(ConnectionContext ctx, Headers headers) {
        if (!(ctx instanceof Http10Adapter adapter)) {
            return;
        }
        if (!headers.contains(HeaderNames.TRANSFER_ENCODING)) {
            if (adapter.followed()) {
                adapter.bodyFollows(contentLength(headers));
            }
        } else if (!headers.contains(HeaderNames.CONTENT_LENGTH) && chunkedAlone(headers)
                && headers instanceof WritableHeaders<?> writable) {
            adapter.replay(dechunk(adapter, writable));
        }
        // other codings and ambiguous framing: Helidon refuses them and closes the connection
    }

    private static byte[] dechunk(Http10Adapter adapter, WritableHeaders<?> headers) {
        if (headers.containsToken(HeaderValues.EXPECT_100)) {
            // Helidon would send it when the handler asks for the body; the body is read now
            headers.remove(HeaderNames.EXPECT);
            if (!adapter.http10()) {
                adapter.dataWriter().writeNow(BufferData.create(CONTINUE));
            }
        }
        byte[] body;
        try {
            body = ChunkedBody.read(adapter.dataReader(), adapter.listenerContext().config().maxPayloadSize());
        } catch (ChunkedBody.Malformed e) {
            throw refused(Status.BAD_REQUEST_400, "malformed chunked request body: " + e.getMessage());
        } catch (ChunkedBody.TooLarge e) {
            throw refused(Status.REQUEST_ENTITY_TOO_LARGE_413, e.getMessage());
        }
        headers.remove(HeaderNames.TRANSFER_ENCODING);
        headers.set(HeaderValues.create(HeaderNames.CONTENT_LENGTH, (long) body.length));
        return body;
    }

    private static RequestException refused(Status status, String message) {
        return RequestException.builder()
                .type(DirectHandler.EventType.BAD_REQUEST)
                .status(status)
                .setKeepAlive(false)
                .message(message)
                .safeMessage(true)
                .build();
    }

    private static boolean chunkedAlone(Headers headers) {
        List<String> codings = headers.get(HeaderNames.TRANSFER_ENCODING).allValues(true);
        return codings.size() == 1 && codings.getFirst().strip().equalsIgnoreCase("chunked");
    }

    private static long contentLength(Headers headers) {
        try {
            return headers.contentLength().orElse(0);
        } catch (IllegalArgumentException e) {
            return -1; // refused by Helidon
        }
    }

    /**
     * The send listener: the status line and {@code Connection} header of answers to HTTP/1.0 requests. Registered
     * after the guard's, so that an answer the guard closes stays closed.
     *
     * @return the listener
     */
    Http1ConnectionListener answers() {
        return new Http1ConnectionListener() {
            @Override
            public void status(ConnectionContext ctx, Status status) {
                if (ctx instanceof Http10Adapter adapter) {
                    adapter.answerStarts();
                }
            }

            @Override
            public void headers(ConnectionContext ctx, Headers headers) {
                if (ctx instanceof Http10Adapter adapter && adapter.http10()
                        && !headers.contains(HeaderNames.CONNECTION) && headers instanceof WritableHeaders<?> w) {
                    w.set(HeaderValues.CONNECTION_KEEP_ALIVE);
                }
            }
        };
    }
}
