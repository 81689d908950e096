package xspct.server;

import java.io.ByteArrayOutputStream;

import io.helidon.common.buffers.DataReader;

/**
 * Reads a chunked request body (RFC 9112 section 7.1) strictly, for {@link RequestFraming}: a chunk size is
 * hexadecimal digits and nothing else, chunk extensions ({@code 3;a=b}) are accepted and dropped, every line ends with
 * CRLF, a chunk's data is followed by CRLF, and trailer fields are read and dropped. Anything else is
 * {@link Malformed}, found as soon as the offending byte arrives, so that a client is never left waiting for bytes that
 * a wrong chunk size promised.
 */
final class ChunkedBody {
    /** The longest chunk-size line (extensions included) or trailer line. */
    static final int MAX_LINE = 4096;
    /** The most bytes of trailer fields. */
    static final int MAX_TRAILERS = ServerSettings.MAX_HEADERS_SIZE;
    // a body is one byte array
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private final DataReader in;
    private final long max;

    private ChunkedBody(DataReader in, long max) {
        this.in = in;
        this.max = max < 0 ? MAX_ARRAY : Math.min(max, MAX_ARRAY);
    }

    /**
     * Reads one chunked body, up to and including the CRLF after its trailers.
     *
     * @param in  the connection, positioned after the request's headers
     * @param max the largest body accepted ({@code xspct_db_client_max_size}), negative for no limit
     * @return the body's data
     * @throws Malformed  when the framing is broken
     * @throws TooLarge   when a chunk would take the body past {@code max}
     * @throws DataReader.InsufficientDataAvailableException when the connection ends first
     */
    static byte[] read(DataReader in, long max) {
        return new ChunkedBody(in, max).read();
    }

    private byte[] read() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        long size;
        while ((size = sizeLine()) > 0) {
            if (size > max - body.size()) {
                throw new TooLarge();
            }
            for (long left = size; left > 0; ) {
                in.ensureAvailable();
                int n = (int) Math.min(in.available(), left);
                body.writeBytes(in.readBytes(n));
                left -= n;
            }
            if (in.read() != '\r' || in.read() != '\n') {
                throw new Malformed("chunk data longer than its chunk size");
            }
        }
        trailers();
        return body.toByteArray();
    }

    /** chunk-size [ chunk-ext ] CRLF, where chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS value ] ). */
    private long sizeLine() {
        int c = in.read();
        if (digit(c) < 0) {
            throw new Malformed("chunk size is not hexadecimal");
        }
        long size = 0;
        int length = 0;
        for (; digit(c) >= 0; c = in.read(), length++) {
            if (size > Long.MAX_VALUE >> 4) {
                throw new Malformed("chunk size too large");
            }
            size = size << 4 | digit(c);
        }
        while (c == ' ' || c == '\t') { // only before an extension
            c = in.read();
            length++;
            if (c != ' ' && c != '\t' && c != ';') {
                throw new Malformed("chunk size is not hexadecimal");
            }
        }
        if (c == ';') {
            // the extensions' content is not used: any visible text, spaces and tabs, up to the line's end
            while ((c = in.read()) != '\r') {
                if (++length > MAX_LINE) {
                    throw new Malformed("chunk extension too long");
                }
                if (c == '\n' || c != '\t' && (c & 0xff) < 0x20 || c == 0x7f) {
                    throw new Malformed("control character in a chunk extension");
                }
            }
        }
        if (c != '\r' || in.read() != '\n') {
            throw new Malformed(c == '\n' ? "chunk size line not ended by CRLF" : "chunk size is not hexadecimal");
        }
        return size;
    }

    /** *( field-line CRLF ) CRLF: the fields are dropped, the lines must be well ended. */
    private void trailers() {
        int total = 0;
        int line = 0;
        while (true) {
            int c = in.read();
            if (c == '\r') {
                if (in.read() != '\n') {
                    throw new Malformed("trailer line not ended by CRLF");
                }
                if (line == 0) {
                    return;
                }
                line = 0;
            } else if (c == '\n' || c != '\t' && (c & 0xff) < 0x20 || c == 0x7f) {
                throw new Malformed(c == '\n' ? "trailer line not ended by CRLF" : "control character in a trailer");
            } else if (++line > MAX_LINE || ++total > MAX_TRAILERS) {
                throw new Malformed("trailer fields too long");
            }
        }
    }

    private static int digit(int c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        int lower = c | 0x20;
        return lower >= 'a' && lower <= 'f' ? lower - 'a' + 10 : -1;
    }

    /** Broken chunked framing; the message names what is wrong, never the client's bytes. */
    static final class Malformed extends RuntimeException {
        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    /** A body over the limit. */
    static final class TooLarge extends RuntimeException {
        TooLarge() {
            super("chunked body larger than xspct_db_client_max_size", null, false, false);
        }
    }
}
