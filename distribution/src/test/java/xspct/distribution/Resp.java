package xspct.distribution;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A minimal RESP2 client for the test's few commands (the release bundles jedis only inside its plugin). */
final class Resp implements AutoCloseable {
    private final Socket socket = new Socket();
    private final InputStream in;
    private final OutputStream out;

    Resp() {
        try {
            socket.connect(new InetSocketAddress("127.0.0.1", 6379), 2000);
            socket.setSoTimeout(5000);
            in = new BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        } catch (IOException e) {
            close();
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Deletes every key that starts with a prefix (a test's own keys); a Redis that went away leaves nothing to do.
     *
     * @param prefix the test's key prefix
     */
    static void deleteKeys(String prefix) {
        try (Resp r = new Resp()) {
            String cursor = "0";
            do {
                List<?> reply = (List<?>) r.call("SCAN", cursor, "MATCH", prefix + "*", "COUNT", "1000");
                cursor = (String) reply.get(0);
                for (Object k : (List<?>) reply.get(1)) {
                    r.call("DEL", (String) k);
                }
            } while (!cursor.equals("0"));
        } catch (UncheckedIOException e) {
            // Redis went away: nothing to clean
        }
    }

    Object call(String... args) {
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.UTF_8));
            for (String a : args) {
                byte[] bytes = a.getBytes(StandardCharsets.UTF_8);
                b.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.UTF_8));
                b.writeBytes(bytes);
                b.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
            }
            out.write(b.toByteArray());
            out.flush();
            return reply();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Object reply() throws IOException {
        String line = line();
        String rest = line.substring(1);
        return switch (line.charAt(0)) {
            case '+' -> rest;
            case ':' -> Long.parseLong(rest);
            case '-' -> throw new IllegalStateException("Redis error: " + rest);
            case '$' -> {
                int n = Integer.parseInt(rest);
                if (n < 0) {
                    yield null;
                }
                byte[] data = in.readNBytes(n + 2);
                yield new String(data, 0, n, StandardCharsets.UTF_8);
            }
            case '*' -> {
                int n = Integer.parseInt(rest);
                List<Object> items = new ArrayList<>(Math.max(n, 0));
                for (int i = 0; i < n; i++) {
                    items.add(reply());
                }
                yield items;
            }
            default -> throw new IllegalStateException("unexpected reply " + line);
        };
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException("connection closed by Redis");
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }
}
