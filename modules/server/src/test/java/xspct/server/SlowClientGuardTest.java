package xspct.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import io.helidon.common.concurrency.limits.Limit;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PeerInfo;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The phases and deadlines of the slow-client guard, on a manual clock. */
class SlowClientGuardTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final FilterChain ANSWER = proxy(FilterChain.class, name -> null);

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final SlowClientGuard guard = new SlowClientGuard(TIMEOUT, clock::get);
    private final Connection connection = new Connection();
    private final List<SlowClientGuard.Registration> registrations = new ArrayList<>();

    @Test
    void aConnectionWithoutRequestIsClosedAfterTheTimeoutWithoutCountingItAsSlow() throws Exception {
        CountDownLatch handling = new CountDownLatch(1);
        CountDownLatch ended = new CountDownLatch(1);
        ServerConnection watched = guard.selector(selectorOf(handling, ended)).connection(connection.context);
        Thread t = handleOnItsThread(watched);
        handling.await();
        assertEquals(1, guard.count(SlowClientGuard.Phase.WAITING));
        assertEquals(Duration.ZERO, watched.idleTime(), "Helidon's idle sweeper must leave it to the guard");
        assertClosedAtTheDeadline();
        assertEquals(0, guard.disconnected(), "an idle connection is not a slow client");
        ended.countDown();
        t.join();
        assertEquals(0, guard.count(SlowClientGuard.Phase.WAITING));
    }

    @Test
    void theEndOfAConnectionForgetsIt() throws Exception {
        CountDownLatch handling = new CountDownLatch(1);
        CountDownLatch ended = new CountDownLatch(1);
        ServerConnection watched = guard.selector(selectorOf(handling, ended)).connection(connection.context);
        ended.countDown();
        Thread t = handleOnItsThread(watched);
        t.join();
        for (SlowClientGuard.Phase p : SlowClientGuard.Phase.values()) {
            assertEquals(0, guard.count(p), p.name());
        }
        advance(TIMEOUT.multipliedBy(2));
        guard.sweep();
        assertEquals(0, connection.closes.get());
    }

    @Test
    void aRequestNotInByItsDeadlineIsClosedAndCounted() {
        watch(connection.context);
        advance(TIMEOUT.minusMillis(1)); // waiting for the request line
        guard.prologue(connection.context, null);
        assertClosedAtTheDeadline();
        assertEquals(1, guard.disconnected());
        assertEquals(0, guard.count(SlowClientGuard.Phase.RECEIVING));
        assertEquals(1, guard.count(SlowClientGuard.Phase.CLOSED));
        guard.headers(connection.context, WritableHeaders.create()); // the thread still ends its read
        advance(TIMEOUT);
        guard.sweep();
        assertEquals(1, connection.closes.get(), "closed twice");
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
        "Content-Length, 0, false",
        "Content-Length, 12, true",
        "Transfer-Encoding, chunked, true",
        "Content-Type, application/json, false",
    })
    void theEndOfTheHeadersStartsTheAnswerOfARequestWithoutBody(String header, String value, boolean body) {
        WritableHeaders<?> headers = WritableHeaders.create();
        headers.set(HeaderNames.create(header), value);
        assertEquals(body, SlowClientGuard.hasBody(headers));

        watch(connection.context);
        guard.prologue(connection.context, null);
        guard.headers(connection.context, headers);
        assertEquals(body ? 1 : 0, guard.count(SlowClientGuard.Phase.RECEIVING));
        assertEquals(body ? 0 : 1, guard.count(SlowClientGuard.Phase.ANSWERING));
        advance(TIMEOUT.multipliedBy(3));
        guard.sweep();
        assertEquals(body ? 1 : 0, connection.closes.get(), "an answer is never cut");
    }

    @Test
    void afterAnAnswerTheConnectionWaitsForItsNextRequest() {
        answering();
        advance(TIMEOUT.multipliedBy(10)); // a slow answer
        guard.filter(ANSWER, null, null);
        assertEquals(1, guard.count(SlowClientGuard.Phase.WAITING));
        assertClosedAtTheDeadline(); // the slow answer does not count against the wait
        assertEquals(0, guard.disconnected());
    }

    @Test
    void anAnswerTheClientDoesNotReadIsCutOffAndCounted() {
        answering();
        advance(TIMEOUT.multipliedBy(10)); // a slow answer: not the client's fault
        guard.answers().status(connection.context, Status.OK_200);
        assertEquals(1, guard.count(SlowClientGuard.Phase.WRITING));
        assertClosedAtTheDeadline();
        assertEquals(1, guard.disconnected());
    }

    @Test
    void aWrittenAnswerEndsTheWritingPhase() {
        answering();
        guard.answers().status(connection.context, Status.OK_200);
        advance(TIMEOUT.minusMillis(1));
        guard.filter(ANSWER, null, null); // the handler's send returned: written
        advance(TIMEOUT.minusMillis(1));
        guard.sweep();
        assertEquals(0, connection.closes.get());
        assertEquals(1, guard.count(SlowClientGuard.Phase.WAITING));
    }

    @Test
    void theNextRequestOfAConnectionHasItsOwnDeadline() {
        WritableHeaders<?> withBody = WritableHeaders.create();
        withBody.set(HeaderNames.CONTENT_LENGTH, "5");
        watch(connection.context);
        guard.prologue(connection.context, null);
        guard.headers(connection.context, withBody);
        advance(TIMEOUT.minusMillis(500));
        guard.prologue(connection.context, null);
        advance(Duration.ofMillis(600));
        guard.sweep();
        assertEquals(0, connection.closes.get(), "the second request was judged by the first one's deadline");
        advance(TIMEOUT);
        guard.sweep();
        assertEquals(1, connection.closes.get());
    }

    @Test
    void connectionsAreJudgedOneByOne() throws InterruptedException {
        Connection other = new Connection();
        CountDownLatch registered = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        Thread t = Thread.ofVirtual().start(() -> {
            guard.watch(other.context);
            guard.prologue(other.context, null);
            registered.countDown();
            try {
                done.await(); // stays alive, like a connection blocked in a read
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        registered.await();
        advance(Duration.ofSeconds(1));
        watch(connection.context);
        guard.prologue(connection.context, null);
        advance(Duration.ofSeconds(1));
        guard.sweep();
        assertEquals(1, other.closes.get(), "the older request");
        assertEquals(0, connection.closes.get(), "the newer request, 1 s before its deadline");
        done.countDown();
        t.join();
    }

    @Test
    void aSocketClosedMeanwhileDoesNotStopTheSweep() {
        connection.failOnClose = true;
        watch(connection.context);
        guard.prologue(connection.context, null);
        advance(TIMEOUT);
        guard.sweep();
        assertEquals(1, connection.closes.get());
        assertEquals(1, guard.disconnected());
        assertEquals(0, guard.count(SlowClientGuard.Phase.RECEIVING));
    }

    @Test
    void callsOutsideAWatchedConnectionChangeNothing() {
        guard.prologue(connection.context, null);
        guard.filter(ANSWER, null, null);
        for (SlowClientGuard.Phase p : SlowClientGuard.Phase.values()) {
            assertEquals(0, guard.count(p), p.name());
        }
    }

    /** The test's connection has received a request without body and is working out the answer. */
    private void answering() {
        watch(connection.context);
        guard.prologue(connection.context, null);
        guard.headers(connection.context, WritableHeaders.create());
    }

    /** The test's connection survives a sweep 1 ms before its deadline and is closed by one at it. */
    private void assertClosedAtTheDeadline() {
        int before = connection.closes.get();
        advance(TIMEOUT.minusMillis(1));
        guard.sweep();
        assertEquals(before, connection.closes.get(), "closed before the deadline");
        advance(Duration.ofMillis(1));
        guard.sweep();
        assertEquals(before + 1, connection.closes.get(), "not closed at the deadline");
    }

    @Test
    void anAnswerWithConnectionCloseIsTheLastOfItsConnection() throws Exception {
        Inner inner = handled(() -> guard.answers().headers(connection.context, closing(WritableHeaders.create())));
        assertEquals(List.of(false), inner.closes, "the connection's loop ends, without an interrupt");
    }

    @Test
    void aRequestThatAsksToCloseGetsItsAnswerWithConnectionClose() throws Exception {
        WritableHeaders<?> answer = WritableHeaders.create();
        Inner inner = handled(() -> {
            guard.headers(connection.context, closing(WritableHeaders.create()));
            guard.answers().headers(connection.context, answer);
        });
        assertEquals(true, answer.containsToken(HeaderValues.CONNECTION_CLOSE));
        assertEquals(List.of(false), inner.closes);
    }

    @Test
    void anAnswerThatKeepsTheConnectionLeavesItOpen() throws Exception {
        WritableHeaders<?> answer = WritableHeaders.create();
        Inner inner = handled(() -> guard.answers().headers(connection.context, answer));
        assertEquals(false, answer.contains(HeaderNames.CONNECTION));
        assertEquals(List.of(), inner.closes);
    }

    /**
     * A stop drains: Helidon's first close (without interrupt) only starts it, an answer given from then on closes
     * its connection, an idle connection is closed after the drain time, and Helidon's last close interrupts.
     */
    @Test
    void aStopDrainsTheConnections() throws Exception {
        WritableHeaders<?> answer = WritableHeaders.create();
        CountDownLatch handling = new CountDownLatch(1);
        CountDownLatch answerNow = new CountDownLatch(1);
        Inner inner = new Inner(() -> {
            handling.countDown();
            await(answerNow);
            guard.answers().headers(connection.context, answer);
        });
        ServerConnection watched = guard.selector(selectorOf(inner)).connection(connection.context);
        Thread t = handleOnItsThread(watched);
        handling.await();

        watched.close(false);
        assertEquals(List.of(), inner.closes, "a drained connection is not interrupted");
        answerNow.countDown();
        t.join();
        assertEquals(true, answer.containsToken(HeaderValues.CONNECTION_CLOSE));
        assertEquals(List.of(false), inner.closes);

        Connection idle = new Connection();
        watch(idle.context);
        advance(SlowClientGuard.DRAIN.minusMillis(1));
        guard.sweep();
        assertEquals(0, idle.closes.get());
        advance(Duration.ofMillis(1));
        guard.sweep();
        assertEquals(1, idle.closes.get(), "idle after the drain time");
        assertEquals(0, guard.disconnected(), "not a slow client");

        watched.close(true);
        assertEquals(List.of(false, true), inner.closes);
    }

    private static WritableHeaders<?> closing(WritableHeaders<?> headers) {
        headers.set(HeaderValues.CONNECTION_CLOSE);
        return headers;
    }

    /** Runs {@code onThread} as a connection handled by the guard, on the connection's thread. */
    private Inner handled(Runnable onThread) throws InterruptedException {
        Inner inner = new Inner(onThread);
        handleOnItsThread(guard.selector(selectorOf(inner)).connection(connection.context)).join();
        return inner;
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Helidon's connection, as the guard wraps it: records the closes asked of it. */
    private static final class Inner implements ServerConnection {
        final List<Boolean> closes = new CopyOnWriteArrayList<>();
        private final Runnable onHandle;

        Inner(Runnable onHandle) {
            this.onHandle = onHandle;
        }

        @Override
        public void handle(Limit limit) {
            onHandle.run();
        }

        @Override
        public Duration idleTime() {
            return Duration.ZERO;
        }

        @Override
        public void close(boolean interrupt) {
            closes.add(interrupt);
        }
    }

    private static ServerConnectionSelector selectorOf(ServerConnection c) {
        return proxy(ServerConnectionSelector.class, name -> name.equals("connection") ? c : null);
    }

    private static Thread handleOnItsThread(ServerConnection watched) {
        return Thread.ofVirtual().start(() -> {
            try {
                watched.handle((Limit) null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** Watches a connection on the test's thread until the test ends. */
    private void watch(ConnectionContext ctx) {
        registrations.add(guard.watch(ctx));
    }

    @AfterEach
    void endWatches() {
        registrations.forEach(SlowClientGuard.Registration::close);
    }

    private void advance(Duration d) {
        clock.addAndGet(d.toNanos());
    }

    /** A selector whose connections signal {@code handling} and return once {@code ended} is counted down. */
    private static ServerConnectionSelector selectorOf(CountDownLatch handling, CountDownLatch ended) {
        ServerConnection c = proxy(ServerConnection.class, name -> {
            if (name.equals("handle")) {
                handling.countDown();
                try {
                    ended.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return name.equals("idleTime") ? Duration.ofHours(1) : null;
        });
        return proxy(ServerConnectionSelector.class, name -> name.equals("connection") ? c : null);
    }

    /** A connection whose socket counts its closes; the rest of the context is not used by the guard. */
    private static final class Connection {
        final AtomicInteger closes = new AtomicInteger();
        volatile boolean failOnClose;
        final ConnectionContext context;

        Connection() {
            HelidonSocket socket = proxy(HelidonSocket.class, name -> {
                if (name.equals("close")) {
                    closes.incrementAndGet();
                    if (failOnClose) {
                        throw new UncheckedIOException(new IOException("already closed"));
                    }
                }
                return null;
            });
            PeerInfo peer = proxy(PeerInfo.class, name -> switch (name) {
                case "host" -> "127.0.0.1";
                case "port" -> 40000;
                default -> null;
            });
            this.context = proxy(ConnectionContext.class, name -> switch (name) {
                case "serverSocket" -> socket;
                case "remotePeer" -> peer;
                default -> null;
            });
            assertSame(socket, context.serverSocket());
        }
    }

    private static <T> T proxy(Class<T> type, Function<String, Object> answer) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (p, method, args) -> switch (method.getName()) {
                    case "hashCode" -> System.identityHashCode(p);
                    case "equals" -> p == args[0];
                    case "toString" -> type.getSimpleName();
                    default -> answer.apply(method.getName());
                }));
    }
}
