package xspct.server;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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
 * probes) are answered instead of refused with 505: an HTTP/1.0 request line that opens a connection is handed to
 * Helidon as HTTP/1.1 with {@code Connection: close} (and a {@code Host} when it has none, which HTTP/1.0 does not
 * require), and its answer goes out with an {@code HTTP/1.0} status line. Such a connection serves that one request.
 *
 * <p>Only the first read of a connection is looked at (for the end of its request line); every later read, and every
 * write of an HTTP/1.1 connection, passes through unchanged.
 */
final class Http10Adapter implements ConnectionContext {
    private static final byte[] HTTP_1_0_LINE_END = " HTTP/1.0\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HTTP_1_1 = "HTTP/1.1 ".getBytes(StandardCharsets.US_ASCII);
    // the request line limit of the listener (8190) and more: past it Helidon refuses the request anyway
    private static final int MAX_LINE = 8192;
    private static final int MAX_HEAD = MAX_LINE + ServerSettings.MAX_HEADERS_SIZE;

    private final ConnectionContext ctx;
    private final DataReader reader;
    private final DataWriter writer;
    // both used on the connection's thread only
    private boolean started;
    private boolean http10;

    Http10Adapter(ConnectionContext ctx) {
        this.ctx = ctx;
        this.reader = DataReader.create(this::read);
        this.writer = new StatusLineWriter(ctx.dataWriter());
    }

    /** {@return whether the connection opened with an HTTP/1.0 request} */
    boolean http10() {
        return http10;
    }

    private byte[] read() {
        byte[] bytes = next();
        if (started || bytes == null) {
            return bytes;
        }
        started = true;
        int lf;
        while ((lf = indexOf(bytes, 0, (byte) '\n')) < 0 && bytes.length < MAX_LINE) {
            byte[] more = next();
            if (more == null) {
                return bytes;
            }
            bytes = concat(bytes, more);
        }
        if (lf < 0 || !endsWith(bytes, lf + 1, HTTP_1_0_LINE_END)) {
            return bytes;
        }
        int end;
        while ((end = indexOf(bytes, lf - 1, "\r\n\r\n")) < 0 && bytes.length < MAX_HEAD) {
            byte[] more = next();
            if (more == null) {
                return bytes; // incomplete: Helidon refuses it as HTTP/1.0
            }
            bytes = concat(bytes, more);
        }
        if (end < 0) {
            return bytes;
        }
        http10 = true;
        bytes[lf - 2] = '1';
        String added = "Connection: close\r\n" + (hasHost(bytes, lf + 1, end + 2) ? "" : "Host: localhost\r\n");
        byte[] extra = added.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[bytes.length + extra.length];
        System.arraycopy(bytes, 0, out, 0, lf + 1);
        System.arraycopy(extra, 0, out, lf + 1, extra.length);
        System.arraycopy(bytes, lf + 1, out, lf + 1 + extra.length, bytes.length - lf - 1);
        return out;
    }

    /** The next bytes of the connection, null at its end, as Helidon's own reader gets them. */
    private byte[] next() {
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

    private static boolean hasHost(byte[] b, int from, int to) {
        for (int i = from; i + 5 <= to; i++) {
            if ((i == from || b[i - 1] == '\n') && (b[i] | 0x20) == 'h' && (b[i + 1] | 0x20) == 'o'
                    && (b[i + 2] | 0x20) == 's' && (b[i + 3] | 0x20) == 't' && b[i + 4] == ':') {
                return true;
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
        private boolean answered;

        StatusLineWriter(DataWriter delegate) {
            this.delegate = delegate;
        }

        private BufferData status(BufferData b) {
            if (!http10 || answered) {
                return b;
            }
            answered = true;
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
