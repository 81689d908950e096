package xspct.server;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import io.helidon.common.tls.Tls;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Status;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionListener;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import io.helidon.webserver.spi.ServerConnectionSelector;
import xspct.core.XspctService;
import xspct.core.config.Settings;

/**
 * The running HTTP server: one listener per {@code xspct_db_listen_address}, all on {@code xspct_db_listen_port}.
 */
public final class XspctServer {
    private static final System.Logger LOG = System.getLogger(XspctServer.class.getName());

    private final WebServer server;
    private final XspctService service;
    private final ServerMetrics metrics;
    private final SlowClientGuard guard;
    private final List<String> sockets;
    private volatile boolean stopped;

    private XspctServer(WebServer server, XspctService service, ServerMetrics metrics, SlowClientGuard guard,
                        List<String> sockets) {
        this.server = server;
        this.service = service;
        this.metrics = metrics;
        this.guard = guard;
        this.sockets = sockets;
    }

    /**
     * Starts the server with the front-end keys of the service's configuration.
     *
     * @param service the service
     * @return the running server
     * @throws xspct.core.config.ConfigException for bad front-end keys (TLS files, metrics authentication)
     * @throws ServerStartException              when no listener can be opened
     */
    static XspctServer start(XspctService service) {
        ServerSettings server = ServerSettings.read(service.settings());
        service.settings().root().problems().throwIfAny("");
        return start(service, server);
    }

    static XspctServer start(XspctService service, ServerSettings server) {
        Settings s = service.settings();
        ServerMetrics metrics = server.metricsEnabled()
                ? ServerMetrics.create(service, server.metricsCacheTtl()) : null;
        try {
            return start(service, server, metrics);
        } catch (RuntimeException e) {
            if (metrics != null) {
                metrics.close();
            }
            throw e;
        }
    }

    private static XspctServer start(XspctService service, ServerSettings server, ServerMetrics metrics) {
        Settings s = service.settings();
        Tls tls = server.tls().map(ServerTls::load).orElse(null);
        // idle connections and slow clients are closed by the guard: socket read timeouts do not apply to Helidon's
        // NIO channels, and its idle sweeper would also close keep-alive connections after a slow answer
        Duration readTimeout = Duration.ofMillis((long) (server.readTimeout() * 1000));
        Duration sweep = Duration.ofMillis(Math.max(100, Math.min(readTimeout.toMillis() / 2, 5000)));
        SlowClientGuard guard = new SlowClientGuard(readTimeout, System::nanoTime);
        Consumer<HttpRouting.Builder> routing = Routes.of(service, server, metrics, guard);
        // the guard's selector is the only one: HTTP/1.1 alone, no protocols found on the module path
        ServerConnectionSelector http1 = guard.selector(Http1ConnectionSelector.builder()
                .config(http1(guard)).build());
        WebServerConfig.Builder b = WebServer.builder()
                .shutdownHook(false)
                .host(s.listenAddresses().get(0))
                .port(s.listenPort())
                .backlog(s.listenBacklog())
                .maxPayloadSize(s.clientMaxSize())
                .directHandlers(guard.directHandlers(PlainText::direct))
                .shutdownGracePeriod(Duration.ofSeconds(10))
                .protocolsDiscoverServices(false)
                .addConnectionSelector(http1)
                .routing(routing);
        if (tls != null) {
            b.tls(tls);
        }
        List<String> sockets = new ArrayList<>();
        sockets.add(WebServer.DEFAULT_SOCKET_NAME);
        for (int i = 1; i < s.listenAddresses().size(); i++) {
            String name = "listen-" + i;
            String host = s.listenAddresses().get(i);
            b.putSocket(name, l -> {
                l.host(host).port(s.listenPort()).backlog(s.listenBacklog())
                        .maxPayloadSize(s.clientMaxSize())
                        .directHandlers(guard.directHandlers(PlainText::direct))
                        .protocolsDiscoverServices(false)
                        .addConnectionSelector(http1);
                if (tls != null) {
                    l.tls(tls);
                }
            });
            b.routing(name, routing);
            sockets.add(name);
        }
        WebServer webServer;
        try {
            webServer = b.build().start();
        } catch (UncheckedIOException | IllegalStateException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new ServerStartException("cannot listen on " + s.listenAddresses() + " port " + s.listenPort()
                    + " (xspct_db_listen_address / xspct_db_listen_port): " + cause.getMessage());
        }
        // Helidon logs a listener that cannot bind and shuts down instead of throwing
        for (String socket : sockets) {
            if (!webServer.isRunning() || webServer.port(socket) <= 0) {
                webServer.stop();
                throw new ServerStartException("cannot listen on " + s.listenAddresses() + " port "
                        + s.listenPort() + " (xspct_db_listen_address / xspct_db_listen_port): address in use or "
                        + "not available");
            }
        }
        guard.start(service.scheduler(), sweep);
        if (metrics != null) {
            metrics.registerSlowClients(guard);
        }
        XspctServer xs = new XspctServer(webServer, service, metrics, guard, List.copyOf(sockets));
        server.tls().ifPresent(XspctServer::logTls);
        server.tls().ifPresent(t -> ServerTls.watch(t, service.scheduler(), newTls -> {
            for (String socket : xs.sockets) {
                webServer.reloadTls(socket, newTls);
            }
        }));
        for (int i = 0; i < sockets.size(); i++) {
            LOG.log(System.Logger.Level.WARNING, "xspct-db listening on " + hostPort(s.listenAddresses().get(i),
                    webServer.port(sockets.get(i))));
        }
        return xs;
    }

    /**
     * HTTP/1.1 settings: request lines up to 8190 bytes, as the original's server accepts, and headers up to
     * 16 KiB, both watched by the guard. Paths stay validated: a malformed percent escape is answered 400 before
     * routing.
     */
    private static Http1Config http1(SlowClientGuard guard) {
        // the framing after the guard: chunked bodies are read under the guard's deadline, and an answer the guard
        // closes is not kept alive
        RequestFraming framing = new RequestFraming();
        return Http1Config.builder().maxPrologueLength(8190).maxHeadersSize(ServerSettings.MAX_HEADERS_SIZE)
                .addReceiveListener(inOrder(guard, framing))
                .addSendListener(inOrder(guard.answers(), framing.answers())).build();
    }

    /**
     * Two listeners as one: Helidon 4.5 combines several listeners into one that calls none of them. The byte-level
     * {@code data} events, which neither uses, are not passed on.
     */
    private static Http1ConnectionListener inOrder(Http1ConnectionListener first, Http1ConnectionListener then) {
        return new Http1ConnectionListener() {
            @Override
            public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
                first.prologue(ctx, prologue);
                then.prologue(ctx, prologue);
            }

            @Override
            public void headers(ConnectionContext ctx, Headers headers) {
                first.headers(ctx, headers);
                then.headers(ctx, headers);
            }

            @Override
            public void status(ConnectionContext ctx, Status status) {
                first.status(ctx, status);
                then.status(ctx, status);
            }
        };
    }

    /** A named method: the log line's function field is the method name (a lambda would show as lambda$start$1). */
    private static void logTls(ServerSettings.TlsSettings t) {
        LOG.log(System.Logger.Level.WARNING, "TLS on every listener, certificate " + t.cert()
                + (t.clientCa().isPresent() ? ", client certificates " + t.clientAuth().name()
                .toLowerCase(java.util.Locale.ROOT) + " (CAs from " + t.clientCa().get() + ")" : ""));
    }

    private static String hostPort(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** {@return the port of the first listener} */
    public int port() {
        return server.port(sockets.get(0));
    }

    /** {@return the service behind the server} */
    public XspctService service() {
        return service;
    }

    /** Stops accepting requests, lets in-flight requests finish, then closes every plugin. Idempotent. */
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        LOG.log(System.Logger.Level.WARNING, "xspct-db stopping");
        // requests already sent on open connections are answered (with Connection: close), idle ones closed
        guard.drain(SlowClientGuard.DRAIN);
        server.stop();
        guard.close();
        if (metrics != null) {
            metrics.close();
        }
        service.close();
        LOG.log(System.Logger.Level.WARNING, "xspct-db stopped");
    }
}
