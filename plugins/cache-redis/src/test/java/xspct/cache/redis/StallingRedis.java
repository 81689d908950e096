package xspct.cache.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP endpoint the test controls: while stalling it accepts connections and never answers (a Redis that hangs);
 * once told to, it proxies new connections to the real Redis. Listens on loopback only.
 */
// close waits for the server thread (InterruptedException)
@SuppressWarnings("try")
final class StallingRedis implements AutoCloseable {
    private final ServerSocket server;
    private final String targetHost;
    private final int targetPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private volatile boolean proxying;
    private volatile boolean closed;

    StallingRedis(String targetHost, int targetPort) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.acceptor = Thread.ofPlatform().daemon().name("stalling-redis").start(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    /** From now on, new connections reach the real Redis. Stalled connections stay stalled. */
    void startProxying() {
        proxying = true;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                if (proxying) {
                    Socket upstream = new Socket(targetHost, targetPort);
                    sockets.add(upstream);
                    pump(s.getInputStream(), upstream.getOutputStream());
                    pump(upstream.getInputStream(), s.getOutputStream());
                } else {
                    // read and discard, never answer
                    InputStream in = s.getInputStream();
                    Thread.ofVirtual().start(() -> drain(in));
                }
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private static void drain(InputStream in) {
        byte[] buf = new byte[4096];
        try {
            while (in.read(buf) >= 0) {
                // discard
            }
        } catch (IOException e) {
            // connection closed
        }
    }

    private static void pump(InputStream in, OutputStream out) {
        Thread.ofVirtual().start(() -> {
            byte[] buf = new byte[16384];
            try {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side closed
            } finally {
                try {
                    out.close();
                } catch (IOException e) {
                    // already closed
                }
            }
        });
    }

    @Override
    public void close() throws IOException, InterruptedException {
        closed = true;
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
        acceptor.join(2000);
    }
}
