package xspct.server;

import xspct.core.XspctService;

/**
 * Starts the real HTTP server for an assembled service inside a test JVM (the server's factory is
 * package-private; tests run on the class path).
 */
public final class InProcessServer implements AutoCloseable {
    private final XspctServer server;

    private InProcessServer(XspctServer server) {
        this.server = server;
    }

    /**
     * Starts listening on the service's configured address and port (port 0 picks a free one).
     *
     * @param service the service
     * @return the running server
     */
    public static InProcessServer start(XspctService service) {
        return new InProcessServer(XspctServer.start(service));
    }

    /** {@return the port actually listened on} */
    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.stop();
    }
}
