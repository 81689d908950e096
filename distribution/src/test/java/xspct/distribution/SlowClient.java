package xspct.distribution;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** Clients that send a request slowly, or not at all, and measure when the server closes the connection. */
final class SlowClient {
    /** How long a client waits for the close before the test fails: far above the read timeouts tests configure. */
    private static final long GIVE_UP_NANOS = 15_000_000_000L;

    private SlowClient() {
    }

    /**
     * Sends {@code head} and nothing more, then waits for the server to close the connection.
     *
     * @param socket a connected socket (plain or TLS), closed here
     * @param head   what to send first, may be empty
     * @return seconds from the end of the head to the close
     * @throws AssertionError when the connection is still open after 15 s
     */
    static double silent(Socket socket, String head) throws IOException {
        try (Socket s = socket) {
            s.setSoTimeout((int) (GIVE_UP_NANOS / 1_000_000));
            send(s, head);
            long start = System.nanoTime();
            InputStream in = s.getInputStream();
            try {
                while (in.read() >= 0) {
                    // an answer before the close: read on
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the server kept a silent connection open for 15 s", e);
            } catch (IOException e) {
                // reset by the server: closed as well
            }
            return (System.nanoTime() - start) / 1e9;
        }
    }

    /**
     * Sends {@code head}, then one {@code filler} byte about every 100 ms (the wait for an answer paces it) until
     * the server closes the connection.
     *
     * @param socket a connected socket (plain or TLS), closed here
     * @param head   the start of a request
     * @param filler the byte that continues it
     * @return seconds from the end of the head to the close
     * @throws AssertionError when the connection is still open after 15 s
     */
    static double trickle(Socket socket, String head, char filler) throws IOException {
        try (Socket s = socket) {
            s.setSoTimeout(100);
            send(s, head);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            long start = System.nanoTime();
            while (System.nanoTime() - start < GIVE_UP_NANOS) {
                try {
                    out.write(filler);
                    out.flush();
                    if (in.read() < 0) {
                        return (System.nanoTime() - start) / 1e9;
                    }
                    // an answer (a refusal) before the close: read on
                } catch (SocketTimeoutException e) {
                    // still open: the next byte
                } catch (IOException e) {
                    return (System.nanoTime() - start) / 1e9; // reset by the server
                }
            }
            throw new AssertionError("the server kept a connection sending " + head.lines().findFirst().orElse("")
                    + " slowly open for 15 s");
        }
    }

    private static void send(Socket s, String head) throws IOException {
        if (!head.isEmpty()) {
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
    }
}
