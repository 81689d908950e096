package xspct.server;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.common.task.InterruptableTask;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http.DirectHandlers;
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
 * (after the accept or the previous answer), once the request line is in, its headers and body must follow within
 * that time too, and once the answer is ready, the client must take it within that time. The time spent working out
 * the answer never counts.
 *
 * <p>Helidon's NIO connections ignore socket read timeouts, and its idle sweeper neither interrupts a connection
 * that is reading headers nor tells a connection busy answering from an idle one (it would close a keep-alive
 * connection after an answer slower than the timeout). So the guard keeps each connection's phase itself, fed on the
 * connection's own thread, where Helidon reads, routes and answers its requests:
 * <ul>
 * <li>{@link #selector} wraps HTTP/1 connections: waiting from the start until the connection ends;</li>
 * <li>as a receive listener: the request line starts the receiving phase, the end of the headers ends it for a
 *     request without a body;</li>
 * <li>{@link #readBody} ends it once the body is in;</li>
 * <li>{@link #answers()}, a send listener: writing the answer starts the writing phase;</li>
 * <li>as a routing filter: the end of an answer starts waiting for the next request (a body no handler read is
 *     skipped meanwhile, under that deadline).</li>
 * </ul>
 * {@link #sweep} closes the socket of every connection past its deadline, which fails the blocked read.
 *
 * <p>Seeing every connection and request, the guard also ends connections where Helidon 4.5 does not: an answer with
 * {@code Connection: close} is the last of its connection (Helidon would read the rest of a body refused with 413
 * as further requests), a stop drains the connections instead of dropping the requests being read ({@link #drain}),
 * malformed request lines are answered 400 instead of 500 ({@link #directHandlers}), and an HTTP/1.0 request is
 * answered through {@link Http10Adapter}. Chunked bodies are read by {@link RequestFraming}, under this guard's
 * receiving deadline.
 */
final class SlowClientGuard implements Http1ConnectionListener, Filter, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SlowClientGuard.class.getName());
    /** How long an idle keep-alive connection may still bring a request once the server stops. */
    static final Duration DRAIN = Duration.ofMillis(500);
    private static final Duration DRAIN_SWEEP = Duration.ofMillis(50);
    private static final String CLOSE = "close";

    /**
     * Where a connection is: waiting for a request line, receiving a request, working out an answer, writing it, or
     * cut off.
     */
    enum Phase {
        WAITING, RECEIVING, ANSWERING, WRITING, CLOSED
    }

    /** A phase and, while waiting or receiving, its deadline. */
    private record State(Phase phase, long deadline) {
        static final State ANSWERING = new State(Phase.ANSWERING, 0);
        static final State CLOSED = new State(Phase.CLOSED, 0);
    }

    /** One connection; its state changes on the connection's thread, and the sweep closes it by compare-and-set. */
    static final class Watch {
        private final ConnectionContext connection;
        private final ServerConnection http;
        private final AtomicReference<State> state;
        // on the connection's thread only: the request asked for the connection to close after its answer
        private boolean last;
        // on the connection's thread only: the request is in the routing (failures before it are malformed requests)
        private boolean routed;

        Watch(ConnectionContext connection, ServerConnection http, State state) {
            this.connection = connection;
            this.http = http;
            this.state = new AtomicReference<>(state);
        }

        ConnectionContext connection() {
            return connection;
        }

        AtomicReference<State> state() {
            return state;
        }
    }

    private final Set<Watch> connections = ConcurrentHashMap.newKeySet();
    // the connection of the current thread: Helidon reads, routes and answers a connection's requests on one thread
    private final ThreadLocal<Watch> current = new ThreadLocal<>();
    private final long timeoutNanos;
    private final String timeoutText;
    private final LongSupplier nanoClock;
    private final AtomicLong disconnected = new AtomicLong();
    private ScheduledFuture<?> sweeper;
    private ScheduledExecutorService scheduler;
    private ScheduledFuture<?> drainSweeper;
    private volatile boolean draining;
    private volatile long drainDeadline;

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
        this.scheduler = scheduler;
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
                Http10Adapter adapted = new Http10Adapter(ctx);
                return new Watched(http.connection(adapted), adapted);
            }
        };
    }

    /** A connection, watched while it is handled. */
    private final class Watched implements ServerConnection {
        private final ServerConnection connection;
        private final ConnectionContext ctx;

        Watched(ServerConnection connection, ConnectionContext ctx) {
            this.connection = connection;
            this.ctx = ctx;
        }

        @Override
        // the registration is held while the connection runs, not used
        @SuppressWarnings("try")
        public void handle(Limit limit) throws InterruptedException {
            try (Registration r = watch(ctx, connection)) {
                connection.handle(limit);
            }
        }

        @Override
        public Duration idleTime() {
            return Duration.ZERO; // idle connections are the guard's to close, not Helidon's idle sweeper's
        }

        /**
         * Helidon's stop first asks every connection to close without interrupting it, then, after the grace
         * period, with. Helidon's connection would drop a request that is being read (12 to 20 ms of requests under
         * a keep-alive load), so the first ask drains instead: the request in progress, and the next one if it comes
         * within the drain time, is answered with {@code Connection: close}; an idle connection is closed after the
         * drain time.
         */
        @Override
        public void close(boolean interrupt) {
            if (interrupt) {
                connection.close(true);
            } else {
                drain(DRAIN);
            }
        }
    }

    /** The watch of a connection on its thread, ended by {@link #close()}. */
    interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Watches a connection handled on the current thread, waiting for its first request.
     *
     * @param ctx the connection
     * @return the registration, to close when the connection ends
     */
    Registration watch(ConnectionContext ctx) {
        return watch(ctx, null);
    }

    private Registration watch(ConnectionContext ctx, ServerConnection http) {
        Watch w = new Watch(ctx, http, deadline(Phase.WAITING));
        connections.add(w);
        current.set(w);
        // the listener events carry the adapted connection: they find the watch there, without a thread-local look
        Http10Adapter adapter = ctx instanceof Http10Adapter a ? a : null;
        if (adapter != null) {
            adapter.watch(w);
        }
        return () -> {
            connections.remove(w);
            current.remove();
            if (adapter != null) {
                adapter.watch(null);
            }
        };
    }

    /** The watch of the connection of a listener event: kept by the adapted connection, else the thread's. */
    private Watch watchOf(ConnectionContext ctx) {
        if (ctx instanceof Http10Adapter a) {
            Watch w = a.watch();
            if (w != null) {
                return w;
            }
        }
        return current.get();
    }

    private State deadline(Phase phase) {
        return new State(phase, nanoClock.getAsLong() + timeoutNanos);
    }

    /**
     * The HTTP/1 send listener of the guard: an answer's status line starts the writing phase, so a client that does
     * not read its answer cannot hold the connection.
     *
     * @return the listener
     */
    Http1ConnectionListener answers() {
        return new Http1ConnectionListener() {
            @Override
            public void status(ConnectionContext ctx, Status status) {
                enter(watchOf(ctx), Phase.WRITING);
            }

            @Override
            public void headers(ConnectionContext ctx, Headers headers) {
                closeAfter(watchOf(ctx), headers);
            }
        };
    }

    /**
     * An answer with {@code Connection: close} is the connection's last: nothing after it is read, let alone
     * answered (Helidon would go on reading the rest of a refused body as requests, and keeps a connection open after
     * a request that asked for it to close). The answer to a request that asked for it, or given while the server
     * stops, gets the header.
     */
    private void closeAfter(Watch w, Headers headers) {
        if (w == null) {
            return;
        }
        if ((w.last || draining) && headers instanceof WritableHeaders<?> writable) {
            // these are the headers about to be written
            writable.set(HeaderValues.CONNECTION_CLOSE);
        }
        // a connection still reading a request line is answering a malformed one, and ends anyway; it would take
        // the close as an interrupt, and drop the answer
        if (w.http != null && HeaderTokens.has(headers, HeaderNames.CONNECTION, CLOSE)
                && !(w.http instanceof InterruptableTask<?> task && task.canInterrupt())) {
            w.http.close(false); // ends the connection's loop once this answer is written, without interrupting it
        }
    }

    @Override
    public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
        enter(watchOf(ctx), Phase.RECEIVING);
    }

    @Override
    public void headers(ConnectionContext ctx, Headers headers) {
        Watch w = watchOf(ctx);
        if (w != null && HeaderTokens.has(headers, HeaderNames.CONNECTION, CLOSE)) {
            w.last = true;
        }
        if (!hasBody(headers)) {
            enter(w, State.ANSWERING);
        }
    }

    /** A connection enters a phase with a deadline from now, unless it is not watched. */
    private void enter(Watch w, Phase phase) {
        if (w != null) {
            enter(w, deadline(phase));
        }
    }

    /** The current thread's connection enters a state. */
    private void enter(State state) {
        enter(current.get(), state);
    }

    /** A connection enters a state, unless the sweep has cut it off. */
    private void enter(Watch w, State state) {
        if (w != null) {
            State now = w.state().get();
            if (now != State.CLOSED) {
                w.state().compareAndSet(now, state); // fails only when the sweep has just cut it off
            }
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
            return RequestBody.read(req);
        } catch (DataReader.InsufficientDataAvailableException | UncheckedIOException e) {
            throw new CloseConnectionException("request body not received", e);
        } catch (CloseConnectionException e) {
            throw e;
        } catch (RequestException e) {
            if (e.status().code() < 500) {
                throw e; // 413 for a body over xspct_db_client_max_size
            }
            throw malformedBody();
        } catch (RuntimeException e) {
            // Helidon's chunked decoding fails with a parse error on a malformed chunk line (a 500 otherwise)
            throw malformedBody();
        } finally {
            enter(State.ANSWERING);
        }
    }

    /** A 400 for a body whose framing is broken: the rest of the connection cannot be read as requests. */
    private RequestException malformedBody() {
        Watch w = current.get();
        if (w != null) {
            w.last = true;
        }
        return RequestException.builder()
                .type(DirectHandler.EventType.BAD_REQUEST)
                .status(Status.BAD_REQUEST_400)
                .setKeepAlive(false)
                .message("malformed chunked request body")
                .safeMessage(true)
                .build();
    }

    /** Runs around every request: once it is answered, the connection waits for its next one. */
    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        proceed(chain);
    }

    /**
     * Routes the current request (the guard's part of the one routing filter, {@link RequestObserver}): once it is
     * answered, the connection waits for its next one.
     *
     * @param chain the rest of the routing
     */
    void proceed(FilterChain chain) {
        Watch w = current.get();
        if (w != null) {
            w.routed = true;
        }
        try {
            chain.proceed();
        } finally {
            if (w != null) {
                w.routed = false;
            }
            enter(w, Phase.WAITING);
        }
    }

    /**
     * The answers Helidon gives outside the routing: a request line or headers it fails to parse (with an exception
     * that it takes for an internal error) is a malformed request, 400; the status stays for everything else.
     *
     * @param badRequest writes every 400 answer (the body the documentation promises)
     * @return the handlers, for every listener
     */
    DirectHandlers directHandlers(DirectHandler badRequest) {
        DirectHandler defaults = DirectHandler.defaultHandler();
        return DirectHandlers.builder()
                .addHandler(DirectHandler.EventType.BAD_REQUEST, badRequest)
                .addHandler(DirectHandler.EventType.INTERNAL_ERROR, (request, type, status, headers, message) -> {
                    Watch w = current.get();
                    return w != null && !w.routed
                            ? badRequest.handle(request, DirectHandler.EventType.BAD_REQUEST, Status.BAD_REQUEST_400,
                                    headers, "Bad request")
                            : defaults.handle(request, type, status, headers, message);
                })
                .build();
    }

    /**
     * Starts draining for a stop: every answer from now on closes its connection, and connections that wait for a
     * request are closed once {@code time} has passed. Idempotent.
     *
     * @param time how long an idle connection may still bring a request
     */
    synchronized void drain(Duration time) {
        if (draining) {
            return;
        }
        drainDeadline = nanoClock.getAsLong() + time.toNanos();
        draining = true;
        if (scheduler != null) {
            long period = Math.max(1, Math.min(DRAIN_SWEEP.toNanos(), time.toNanos()));
            drainSweeper = scheduler.scheduleAtFixedRate(this::sweep, time.toNanos(), period, TimeUnit.NANOSECONDS);
        }
    }

    /** Closes the connections past the deadline of their phase. */
    void sweep() {
        long now = nanoClock.getAsLong();
        boolean drained = draining && now - drainDeadline >= 0;
        for (Watch w : connections) {
            State s = w.state().get();
            boolean waiting = s.phase() != Phase.ANSWERING && s.phase() != Phase.CLOSED;
            boolean due = now - s.deadline() >= 0 || drained && s.phase() == Phase.WAITING;
            // compare-and-set: a connection that moved on since it was read here is left alone
            if (!waiting || !due || !w.state().compareAndSet(s, State.CLOSED)) {
                continue;
            }
            ConnectionContext c = w.connection();
            String why = switch (s.phase()) {
                case RECEIVING -> "request not received";
                case WRITING -> "answer not read by the client";
                default -> "no request";
            };
            if (s.phase() == Phase.WAITING && drained && now - s.deadline() < 0) {
                LOG.log(System.Logger.Level.DEBUG, () -> "closing the idle connection of " + c.remotePeer().host()
                        + ":" + c.remotePeer().port() + ": stopping");
            } else if (s.phase() == Phase.WAITING) {
                // an idle keep-alive connection, not a slow client
                LOG.log(System.Logger.Level.DEBUG, () -> "closing the connection of " + c.remotePeer().host() + ":"
                        + c.remotePeer().port() + ": " + why + " for xspct_db_read_timeout (" + timeoutText + ")");
            } else {
                disconnected.incrementAndGet();
                LOG.log(System.Logger.Level.INFO, () -> "closing the connection of " + c.remotePeer().host() + ":"
                        + c.remotePeer().port() + ": " + why + " within xspct_db_read_timeout (" + timeoutText + ")");
            }
            try {
                c.serverSocket().close();
            } catch (RuntimeException ex) {
                // closed by the client meanwhile
                LOG.log(System.Logger.Level.DEBUG, () -> "closing a connection: " + ex);
            }
        }
    }

    /** {@return how many watched connections are in a phase} */
    int count(Phase phase) {
        return (int) connections.stream().filter(w -> w.state().get().phase() == phase).count();
    }

    /**
     * {@return connections closed because a request's headers or body did not arrive, or its answer was not read, in
     * time, since the start}
     */
    long disconnected() {
        return disconnected.get();
    }

    @Override
    public synchronized void close() {
        if (sweeper != null) {
            sweeper.cancel(false);
        }
        if (drainSweeper != null) {
            drainSweeper.cancel(false);
        }
    }
}
