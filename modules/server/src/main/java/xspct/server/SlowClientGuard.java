package xspct.server;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ServerConnectionException;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http1.Http1ConnectionListener;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;

/**
 * {@code xspct_db_read_timeout} on every connection: a connection waits at most that long for its next request line
 * (after the accept or the previous answer), and once the request line is in, its headers and body must follow
 * within that time too. The time spent answering never counts.
 *
 * <p>Helidon's NIO connections ignore socket read timeouts, and its idle sweeper neither interrupts a connection
 * that is reading headers nor tells a connection busy answering from an idle one (it would close a keep-alive
 * connection after an answer slower than the timeout). So the guard keeps each connection's phase itself, fed on the
 * connection's own thread, where Helidon reads, routes and answers its requests:
 * <ul>
 * <li>{@link #selector} wraps HTTP/1 connections: waiting from the start until the connection ends;</li>
 * <li>as a receive listener: the request line starts the receiving phase, the end of the headers ends it for a
 *     request without a body;</li>
 * <li>{@link #readBody} ends it once the body is in; a body no handler reads stays under the deadline while the
 *     server skips it;</li>
 * <li>as a routing filter: the end of an answer starts waiting for the next request.</li>
 * </ul>
 * {@link #sweep} closes the socket of every connection past its deadline, which fails the blocked read.
 */
final class SlowClientGuard implements Http1ConnectionListener, Filter, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SlowClientGuard.class.getName());

    /** Where a connection is: waiting for a request line, receiving a request, or answering one. */
    enum Phase {
        WAITING, RECEIVING, ANSWERING
    }

    /** A connection's phase and, unless it is answering, the deadline of that phase. */
    private record Watch(ConnectionContext connection, Phase phase, long deadline) {
    }

    // keyed by the connection's thread; only that thread changes its entry, the sweep only removes
    private final Map<Thread, Watch> connections = new ConcurrentHashMap<>();
    private final long timeoutNanos;
    private final String timeoutText;
    private final LongSupplier nanoClock;
    private final AtomicLong disconnected = new AtomicLong();
    private ScheduledFuture<?> sweeper;

    /**
     * @param timeout   {@code xspct_db_read_timeout}
     * @param nanoClock the clock of the deadlines ({@link System#nanoTime} in the server)
     */
    SlowClientGuard(Duration timeout, LongSupplier nanoClock) {
        this.timeoutNanos = timeout.toNanos();
        this.timeoutText = timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms";
        this.nanoClock = nanoClock;
    }

    /**
     * Sweeps every {@code period} on the scheduler until {@link #close}.
     *
     * @param scheduler the service's scheduler
     * @param period    the sweep interval
     * @return this guard
     */
    synchronized SlowClientGuard start(ScheduledExecutorService scheduler, Duration period) {
        sweeper = scheduler.scheduleAtFixedRate(this::sweep, period.toNanos(), period.toNanos(),
                TimeUnit.NANOSECONDS);
        return this;
    }

    /**
     * The HTTP/1.1 connections of a listener, watched by this guard. It must be the listener's only connection
     * selector: with several, Helidon reads from a new connection before any of them sees it.
     *
     * @param http the HTTP/1.1 selector, whose settings have this guard among their receive listeners
     * @return the selector
     */
    ServerConnectionSelector selector(ServerConnectionSelector http) {
        return new ServerConnectionSelector() {
            @Override
            public int bytesToIdentifyConnection() {
                return http.bytesToIdentifyConnection();
            }

            @Override
            public Support supports(BufferData data) {
                return http.supports(data);
            }

            @Override
            public Set<String> supportedApplicationProtocols() {
                return http.supportedApplicationProtocols();
            }

            @Override
            public ServerConnection connection(ConnectionContext ctx) {
                return new Watched(http.connection(ctx), ctx);
            }
        };
    }

    /** A connection from its start to its end, waiting for its first request meanwhile. */
    private final class Watched implements ServerConnection {
        private final ServerConnection connection;
        private final ConnectionContext ctx;

        Watched(ServerConnection connection, ConnectionContext ctx) {
            this.connection = connection;
            this.ctx = ctx;
        }

        @Override
        public void handle(Limit limit) throws InterruptedException {
            Thread me = Thread.currentThread();
            enter(me, ctx, Phase.WAITING);
            try {
                connection.handle(limit);
            } finally {
                connections.remove(me);
            }
        }

        @Override
        public Duration idleTime() {
            return Duration.ZERO; // idle connections are the guard's to close, not Helidon's idle sweeper's
        }

        @Override
        public void close(boolean interrupt) {
            connection.close(interrupt);
        }
    }

    private void enter(Thread thread, ConnectionContext ctx, Phase phase) {
        connections.put(thread, new Watch(ctx, phase,
                phase == Phase.ANSWERING ? Long.MAX_VALUE : nanoClock.getAsLong() + timeoutNanos));
    }

    /** The current connection enters a phase, unless the sweep has just closed it. */
    private void enter(Phase phase) {
        Thread me = Thread.currentThread();
        Watch w = connections.get(me);
        if (w != null) {
            enter(me, w.connection(), phase);
        }
    }

    @Override
    public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
        enter(Thread.currentThread(), ctx, Phase.RECEIVING);
    }

    @Override
    public void headers(ConnectionContext ctx, Headers headers) {
        if (!hasBody(headers)) {
            enter(Thread.currentThread(), ctx, Phase.ANSWERING);
        }
    }

    /** Whether a body follows the headers (Helidon answers 400 to malformed framing, under the deadline). */
    static boolean hasBody(Headers headers) {
        return headers.contains(HeaderNames.TRANSFER_ENCODING)
                || headers.contains(HeaderNames.CONTENT_LENGTH) && !headers.contains(HeaderValues.CONTENT_LENGTH_ZERO);
    }

    /**
     * Reads the whole request body, under the request's deadline, and ends the deadline.
     *
     * @param req the request, on its connection's thread
     * @return the body, empty when the request has none
     * @throws CloseConnectionException when the body did not arrive: the connection was cut off or the client went
     *                                  away; Helidon closes the connection without an answer or an error log
     */
    byte[] readBody(ServerRequest req) {
        try {
            return req.content().hasEntity() ? req.content().as(byte[].class) : new byte[0];
        } catch (DataReader.InsufficientDataAvailableException | ServerConnectionException
                 | UncheckedIOException e) {
            throw new CloseConnectionException("request body not received", e);
        } finally {
            enter(Phase.ANSWERING);
        }
    }

    /** Runs around every request: once it is answered, the connection waits for its next one. */
    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        try {
            chain.proceed();
        } finally {
            enter(Phase.WAITING);
        }
    }

    /** Closes the connections whose request is not in by its deadline. */
    void sweep() {
        long now = nanoClock.getAsLong();
        for (Map.Entry<Thread, Watch> e : connections.entrySet()) {
            Watch w = e.getValue();
            // remove(key, value): a connection that moved on since it was read here is left alone
            if (w.phase() == Phase.ANSWERING || now - w.deadline() < 0 || !connections.remove(e.getKey(), w)) {
                continue;
            }
            ConnectionContext c = w.connection();
            if (w.phase() == Phase.RECEIVING) {
                disconnected.incrementAndGet();
                LOG.log(System.Logger.Level.INFO, () -> "closing the connection of " + c.remotePeer().host() + ":"
                        + c.remotePeer().port() + ": request not received within xspct_db_read_timeout ("
                        + timeoutText + ")");
            } else {
                LOG.log(System.Logger.Level.DEBUG, () -> "closing the connection of " + c.remotePeer().host() + ":"
                        + c.remotePeer().port() + ": no request for xspct_db_read_timeout (" + timeoutText + ")");
            }
            try {
                c.serverSocket().close();
            } catch (RuntimeException ex) {
                // closed by the client meanwhile
                LOG.log(System.Logger.Level.DEBUG, () -> "closing a connection: " + ex);
            }
        }
    }

    /** {@return how many connections are in a phase} */
    int count(Phase phase) {
        return (int) connections.values().stream().filter(w -> w.phase() == phase).count();
    }

    /** {@return connections closed because a request's headers or body did not arrive in time, since the start} */
    long disconnected() {
        return disconnected.get();
    }

    @Override
    public synchronized void close() {
        if (sweeper != null) {
            sweeper.cancel(false);
        }
    }
}
