package xspct.backend.mysql;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * A loopback TCP forwarder to the database that a test can stop (outage), start again on the same port
 * (recovery), or make hang: connections stay open but no byte is forwarded until {@link #resume()}.
 */
final class TcpProxy implements AutoCloseable {
    private final int targetPort;
    private final int port;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile ServerSocket server;
    private volatile CountDownLatch gate = new CountDownLatch(0);

    TcpProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            this.port = probe.getLocalPort();
        }
    }

    int port() {
        return port;
    }

    synchronized TcpProxy start() throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        server = s;
        Thread.ofVirtual().start(() -> accept(s));
        return this;
    }

    /** Closes the listener and every forwarded connection. */
    synchronized void stop() throws IOException {
        if (server != null) {
            server.close();
            server = null;
        }
        for (Socket s : sockets) {
            s.close();
        }
        sockets.clear();
        gate.countDown();
    }

    void hang() {
        gate = new CountDownLatch(1);
    }

    void resume() {
        gate.countDown();
    }

    private void accept(ServerSocket s) {
        try {
            while (true) {
                Socket client = s.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                if (!register(s, client, upstream)) {
                    return;
                }
                Thread.ofVirtual().start(() -> pump(client, upstream));
                Thread.ofVirtual().start(() -> pump(upstream, client));
            }
        } catch (IOException e) {
            // listener closed
        }
    }

    /**
     * Keeps a new connection for {@link #stop()}, unless the stop already happened while it was being accepted: then
     * it is closed here, so that an outage leaves no connection forwarding.
     */
    private synchronized boolean register(ServerSocket listener, Socket client, Socket upstream) throws IOException {
        if (server != listener) {
            client.close();
            upstream.close();
            return false;
        }
        sockets.add(client);
        sockets.add(upstream);
        return true;
    }

    private void pump(Socket from, Socket to) {
        byte[] buf = new byte[16384];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                gate.await();
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // either side closed
        } finally {
            try {
                from.close();
                to.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    @Override
    public void close() throws IOException {
        stop();
    }
}
