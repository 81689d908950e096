package xspct.server;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.buffers.DataWriter;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PeerInfo;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ListenerContext;
import io.helidon.webserver.Router;
import io.helidon.webserver.ServerConnectionException;

/**
 * A connection as Helidon's HTTP/1.1 connection sees it, so that HTTP/1.0 requests (load-balancer and monitoring
 * probes) are answered instead of refused with 505: an HTTP/1.0 request line is handed to Helidon as HTTP/1.1 (with a
 * {@code Host} when it has none, which HTTP/1.0 does not require, and with {@code Connection: close} unless it asked
 * for {@code Connection: keep-alive}), and its answer goes out with an {@code HTTP/1.0} status line.
 *
 * <p>Only the first read of a connection is looked at (for the end of its request line); when the connection opens
 * with an HTTP/1.1 request, or with an HTTP/1.0 request that does not keep the connection, every later read passes
 * through unchanged. A connection that opens with an HTTP/1.0 keep-alive request is followed request by request: each
 * head is handed over alone, and {@link RequestFraming} says how long its body is ({@link #bodyFollows}), after which
 * the next head is looked at.
 *
 * <p>{@link #replay} hands bytes back to Helidon's reader: the body that {@link RequestFraming} decoded from chunked
 * framing, followed by what the reader held beyond it.
 */
final class Http10Adapter implements ConnectionContext {
    private static final byte[] HTTP_1_0_LINE_END = " HTTP/1.0\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HTTP_1_1 = "HTTP/1.1 ".getBytes(StandardCharsets.US_ASCII);
    // the request line limit of the listener (8190) and more: past it Helidon refuses the request anyway
    private static final int MAX_LINE = 8192;
    private static final int MAX_HEAD = MAX_LINE + ServerSettings.MAX_HEADERS_SIZE;
    // bodyLeft while the length of the body after the head handed over is not known: bytes pass through
    private static final long UNKNOWN = -1;

    private final ConnectionContext ctx;
    private final DataReader reader;
    private final DataWriter writer;
    // all used on the connection's thread only
    private final ArrayDeque<byte[]> held = new ArrayDeque<>();
    private boolean started;
    // the connection opened with an HTTP/1.0 keep-alive request: its request heads are looked at
    private boolean followed;
    private long bodyLeft = UNKNOWN;
    // the request whose head was handed over last is HTTP/1.0
    private boolean http10;
    // the next write starts the answer to an HTTP/1.0 request
    private boolean statusLine10;
    // the slow-client guard's watch of this connection, while it is handled
    private SlowClientGuard.Watch watch;

    Http10Adapter(ConnectionContext ctx) {
        this.ctx = ctx;
        this.reader = DataReader.create(this::read);
        this.writer = new StatusLineWriter(ctx.dataWriter());
    }

    /** {@return the slow-client guard's watch of this connection, or null} */
    SlowClientGuard.Watch watch() {
        return watch;
    }

    void watch(SlowClientGuard.Watch w) {
        watch = w;
    }

    /** {@return whether the request being answered is an HTTP/1.0 request} */
    boolean http10() {
        return http10;
    }

    /** {@return whether the connection is followed request by request (it opened with HTTP/1.0 keep-alive)} */
    boolean followed() {
        return followed;
    }

    /**
     * The request whose head Helidon has just read has a body of {@code length} bytes (0 for none, negative when
     * unknown: the framing is refused and the connection ends).
     */
    void bodyFollows(long length) {
        if (followed) {
            bodyLeft = length < 0 ? UNKNOWN : length;
        }
    }

    /**
     * Hands {@code body} to Helidon's reader as the request's body, followed by what the reader holds beyond the
     * bytes read so far.
     */
    void replay(byte[] body) {
        if (reader.available() > 0) {
            held.addFirst(reader.readBytes(reader.available()));
        }
        if (body.length > 0) {
            held.addFirst(body);
        }
        bodyFollows(body.length);
    }

    /** An answer starts: its status line is written next. */
    void answerStarts() {
        statusLine10 = http10;
    }

    private byte[] read() {
        if (!started) {
            started = true;
            return head(true);
        }
        if (!followed || bodyLeft == UNKNOWN) {
            return next();
        }
        if (bodyLeft == 0) {
            return head(false);
        }
        byte[] bytes = next();
        if (bytes == null || bytes.length <= bodyLeft) {
            bodyLeft -= bytes == null ? 0 : bytes.length;
            return bytes;
        }
        int end = (int) bodyLeft;
        held.addFirst(Arrays.copyOfRange(bytes, end, bytes.length));
        bodyLeft = 0;
        return Arrays.copyOf(bytes, end);
    }

    /**
     * The next request's head: an HTTP/1.0 one adapted; in a followed connection handed over alone, with what follows
     * it held back until its body's length is known.
     */
    private byte[] head(boolean first) {
        byte[] bytes = next();
        if (bytes == null) {
            return null;
        }
        int lf;
        while ((lf = indexOf(bytes, 0, (byte) '\n')) < 0 && bytes.length < MAX_LINE) {
            byte[] more = next();
            if (more == null) {
                followed = false;
                return bytes;
            }
            bytes = concat(bytes, more);
        }
        http10 = lf >= 0 && endsWith(bytes, lf + 1, HTTP_1_0_LINE_END);
        if (first && !http10 || lf < 0) {
            followed = false;
            return bytes;
        }
        int end;
        while ((end = indexOf(bytes, lf - 1, "\r\n\r\n")) < 0 && bytes.length < MAX_HEAD) {
            byte[] more = next();
            if (more == null) {
                followed = false;
                return bytes; // incomplete: Helidon refuses it
            }
            bytes = concat(bytes, more);
        }
        if (end < 0) {
            followed = false;
            return bytes;
        }
        boolean keepAlive = http10 && hasToken(bytes, lf + 1, end + 2, "connection:", "keep-alive");
        if (first) {
            followed = keepAlive;
        }
        if (followed && end + 4 < bytes.length) {
            held.addFirst(Arrays.copyOfRange(bytes, end + 4, bytes.length));
            bytes = Arrays.copyOf(bytes, end + 4);
        }
        bodyLeft = UNKNOWN;
        if (!http10) {
            return bytes;
        }
        bytes[lf - 2] = '1';
        String added = (keepAlive ? "" : "Connection: close\r\n")
                + (headerAt(bytes, lf + 1, end + 2, "host:") >= 0 ? "" : "Host: localhost\r\n");
        byte[] extra = added.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[bytes.length + extra.length];
        System.arraycopy(bytes, 0, out, 0, lf + 1);
        System.arraycopy(extra, 0, out, lf + 1, extra.length);
        System.arraycopy(bytes, lf + 1, out, lf + 1 + extra.length, bytes.length - lf - 1);
        return out;
    }

    /** The next bytes of the connection, null at its end, as Helidon's own reader gets them. */
    private byte[] next() {
        if (!held.isEmpty()) {
            return held.removeFirst();
        }
        DataReader pulled = ctx.dataReader(); // what Helidon may have read before handing over the connection
        if (pulled.available() > 0) {
            return pulled.readBytes(pulled.available());
        }
        try {
            return ctx.serverSocket().get();
        } catch (UncheckedIOException e) {
            throw new ServerConnectionException("Failed to get data from socket", e);
        }
    }

    /** {@return where the value of a header line starting with {@code name} (lower case) is, or -1} */
    private static int headerAt(byte[] b, int from, int to, String name) {
        outer:
        for (int i = from; i + name.length() <= to; i++) {
            if (i != from && b[i - 1] != '\n') {
                continue;
            }
            for (int j = 0; j < name.length(); j++) {
                if ((b[i + j] | 0x20) != name.charAt(j)) {
                    continue outer;
                }
            }
            return i + name.length();
        }
        return -1;
    }

    /** Whether a header line {@code name} (lower case, with its colon) lists {@code token} (lower case). */
    private static boolean hasToken(byte[] b, int from, int to, String name, String token) {
        for (int at = headerAt(b, from, to, name); at >= 0; at = headerAt(b, at, to, name)) {
            int eol = indexOf(b, at, (byte) '\r');
            String value = new String(b, at, Math.max(0, Math.min(eol, to) - at), StandardCharsets.ISO_8859_1);
            for (String t : value.split(",")) {
                if (t.strip().equalsIgnoreCase(token)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static int indexOf(byte[] b, int from, byte x) {
        for (int i = Math.max(0, from); i < b.length; i++) {
            if (b[i] == x) {
                return i;
            }
        }
        return -1;
    }

    private static int indexOf(byte[] b, int from, String s) {
        outer:
        for (int i = Math.max(0, from); i + s.length() <= b.length; i++) {
            for (int j = 0; j < s.length(); j++) {
                if (b[i + j] != s.charAt(j)) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static boolean endsWith(byte[] b, int end, byte[] suffix) {
        if (end < suffix.length) {
            return false;
        }
        for (int i = 0; i < suffix.length; i++) {
            if (b[end - suffix.length + i] != suffix[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = new byte[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** Writes the answer to an HTTP/1.0 request with an HTTP/1.0 status line. */
    private final class StatusLineWriter implements DataWriter {
        private final DataWriter delegate;

        StatusLineWriter(DataWriter delegate) {
            this.delegate = delegate;
        }

        private BufferData status(BufferData b) {
            if (!statusLine10) {
                return b;
            }
            statusLine10 = false;
            byte[] bytes = b.readBytes();
            if (endsWith(bytes, HTTP_1_1.length, HTTP_1_1)) {
                bytes[HTTP_1_1.length - 2] = '0';
            }
            return BufferData.create(bytes);
        }

        @Override
        public void write(BufferData... buffers) {
            if (buffers.length > 0) {
                buffers[0] = status(buffers[0]);
            }
            delegate.write(buffers);
        }

        @Override
        public void write(BufferData buffer) {
            delegate.write(status(buffer));
        }

        @Override
        public void writeNow(BufferData... buffers) {
            if (buffers.length > 0) {
                buffers[0] = status(buffers[0]);
            }
            delegate.writeNow(buffers);
        }

        @Override
        public void writeNow(BufferData buffer) {
            delegate.writeNow(status(buffer));
        }

        @Override
        public void flush() {
            delegate.flush();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    @Override
    public DataReader dataReader() {
        return reader;
    }

    @Override
    public DataWriter dataWriter() {
        return writer;
    }

    @Override
    public ListenerContext listenerContext() {
        return ctx.listenerContext();
    }

    @Override
    public ExecutorService executor() {
        return ctx.executor();
    }

    @Override
    public Router router() {
        return ctx.router();
    }

    @Override
    public java.util.Optional<io.helidon.webserver.ProxyProtocolData> proxyProtocolData() {
        return ctx.proxyProtocolData();
    }

    @Override
    public HelidonSocket serverSocket() {
        return ctx.serverSocket();
    }

    @Override
    public PeerInfo remotePeer() {
        return ctx.remotePeer();
    }

    @Override
    public PeerInfo localPeer() {
        return ctx.localPeer();
    }

    @Override
    public boolean isSecure() {
        return ctx.isSecure();
    }

    @Override
    public String socketId() {
        return ctx.socketId();
    }

    @Override
    public String childSocketId() {
        return ctx.childSocketId();
    }
}
