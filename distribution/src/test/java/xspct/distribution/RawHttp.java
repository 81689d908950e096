package xspct.distribution;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * HTTP/1 over a plain socket, byte for byte, for requests no HTTP client would send: the answers are parsed one
 * after the other by their {@code Content-Length}, and whatever follows the last one is kept.
 */
final class RawHttp {
    /** One answer: its status line, headers (names lower-cased) and body. */
    record Answer(String statusLine, List<String> headers, String body) {
        int status() {
            return Integer.parseInt(statusLine.split(" ")[1]);
        }

        boolean closes() {
            return headers.stream().anyMatch(h -> h.equals("connection: close"));
        }
    }

    /**
     * What the server sent until it closed the connection.
     *
     * @param answers  the complete answers
     * @param trailing bytes after them that are no complete answer
     */
    record Exchange(List<Answer> answers, String trailing) {
        @Override
        public String toString() {
            return answers + (trailing.isEmpty() ? "" : " + " + trailing);
        }
    }

    private RawHttp() {
    }

    /**
     * Sends the bytes and reads until the server closes the connection.
     *
     * @param port    the server's port
     * @param request the bytes
     * @param timeout how long the server may stay silent (socket read timeout, ms)
     * @return the answers
     * @throws AssertionError when the server neither answers nor closes within the timeout
     */
    static Exchange exchange(int port, byte[] request, int timeout) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(timeout);
            s.getOutputStream().write(request);
            s.getOutputStream().flush();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    all.write(buf, 0, n);
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("connection neither answered nor closed within " + timeout + " ms; got "
                        + parse(all.toByteArray()) + " for " + printable(request));
            } catch (java.net.SocketException e) {
                // reset after the answers: what was received counts
            }
            return parse(all.toByteArray());
        }
    }

    /** A connection kept open, one request and one answer at a time. */
    static final class Conversation implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();

        private Conversation(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
        }

        /**
         * @param port    the server's port
         * @param timeout how long the server may stay silent (socket read timeout, ms)
         */
        static Conversation open(int port, int timeout) throws IOException {
            Socket s = new Socket("127.0.0.1", port);
            s.setSoTimeout(timeout);
            return new Conversation(s);
        }

        /**
         * Sends a request and reads its answer.
         *
         * @throws AssertionError when no complete answer arrives within the timeout or before the connection ends
         */
        Answer ask(String request) throws IOException {
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            byte[] buf = new byte[8192];
            while (true) {
                Exchange e = parse(received.toByteArray());
                if (!e.answers().isEmpty()) {
                    Answer a = e.answers().getFirst();
                    byte[] rest = e.trailing().getBytes(StandardCharsets.ISO_8859_1);
                    received.reset();
                    received.write(rest); // anything after the first answer, when more than one came
                    return e.answers().size() == 1 ? a : fail(request, e);
                }
                int n;
                try {
                    n = in.read(buf);
                } catch (SocketTimeoutException ex) {
                    return fail(request, e);
                }
                if (n < 0) {
                    return fail(request, e);
                }
                received.write(buf, 0, n);
            }
        }

        private static Answer fail(String request, Exchange got) {
            throw new AssertionError("not one answer to " + printable(request.getBytes(StandardCharsets.ISO_8859_1))
                    + ": got " + got);
        }

        /** {@return whether the server closes the connection, with nothing more sent, within the timeout} */
        boolean closedByServer() throws IOException {
            try {
                return received.size() == 0 && in.read() < 0;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (java.net.SocketException e) {
                return received.size() == 0; // reset
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    static Exchange parse(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        List<Answer> answers = new ArrayList<>();
        int at = 0;
        while (true) {
            int end = text.indexOf("\r\n\r\n", at);
            if (!text.startsWith("HTTP/1.", at) || end < 0) {
                break;
            }
            String[] lines = text.substring(at, end).split("\r\n");
            List<String> headers = new ArrayList<>();
            int length = 0;
            for (int i = 1; i < lines.length; i++) {
                String h = lines[i].toLowerCase(Locale.ROOT);
                headers.add(h);
                if (h.startsWith("content-length:")) {
                    length = Integer.parseInt(h.substring(15).trim());
                }
            }
            if (end + 4 + length > text.length()) {
                break;
            }
            answers.add(new Answer(lines[0], headers, text.substring(end + 4, end + 4 + length)));
            at = end + 4 + length;
        }
        return new Exchange(answers, text.substring(at));
    }

    static String printable(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            int c = x & 0xff;
            if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c < 0x20 || c >= 0x7f) {
                sb.append(String.format("\\x%02x", c));
            } else {
                sb.append((char) c);
            }
        }
        return sb.length() > 200 ? sb.substring(0, 200) + "..." : sb.toString();
    }
}
