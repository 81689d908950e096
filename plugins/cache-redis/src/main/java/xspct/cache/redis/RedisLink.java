package xspct.cache.redis;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;

/**
 * The connection to one Redis (a single server, Sentinel or Cluster) shared by the tier's object cache, its
 * invalidation channel and its sets: the client, created lazily and dropped when the {@link CircuitBreaker} opens
 * (so that a recovered Redis is reached over fresh connections rather than the pool's dead ones), the prober thread
 * that PINGs every {@code xspct_db_stats_sample_interval} seconds and closes the breaker when Redis answers again,
 * and the {@link Subscriber}s. Logs under the tier's name.
 */
final class RedisLink implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RedisTier.class.getName());

    private final RedisCacheSettings s;
    private final RedisConnections connections;
    private final CircuitBreaker breaker;
    private final ReentrantLock clientLock = new ReentrantLock();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Thread prober;
    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    private volatile UnifiedJedis client;

    /** Thrown instead of waiting when another thread is creating the client. Not counted as an error. */
    static final class Unavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unavailable() {
            super("the Redis client is being created", null, false, false);
        }
    }

    RedisLink(RedisCacheSettings s, RedisConnections connections) {
        this.s = s;
        this.connections = connections;
        this.breaker = new CircuitBreaker(s.maxErrors());
        LOG.log(System.Logger.Level.INFO, "Redis cache " + s.describe() + ": bypassed after "
                + (s.maxErrors() + 1) + " consecutive errors, health check every " + seconds(s.sampleInterval()));
        this.prober = Thread.ofPlatform().daemon().name("xspct-redis-probe").start(this::probeLoop);
    }

    /** {@return the settings} */
    RedisCacheSettings settings() {
        return s;
    }

    /** {@return how subscriber connections are opened} */
    RedisConnections connections() {
        return connections;
    }

    /** {@return the breaker every Redis operation reports to} */
    CircuitBreaker breaker() {
        return breaker;
    }

    /**
     * {@code breaker_open}: 1 while the circuit breaker bypasses Redis, else 0; and the connections of the pool to a
     * single Redis server ({@code active}, {@code idle}) once it exists.
     */
    Map<String, Number> gauges() {
        int open = breaker.allows() ? 0 : 1;
        if (client instanceof RedisClient rc && rc.getPool() != null) {
            return Map.of("breaker_open", open, "active", rc.getPool().getNumActive(),
                    "idle", rc.getPool().getNumIdle());
        }
        return Map.of("breaker_open", open);
    }

    /**
     * The client, created on first use (and first thing by the prober). A request waits for another thread
     * creating it (Sentinel and Cluster contact servers then) no longer than one connect and one query timeout,
     * as long as it would wait creating it itself; after that it gets {@link Unavailable}, i.e. a miss.
     */
    UnifiedJedis client(boolean wait) {
        UnifiedJedis c = client;
        if (c != null) {
            return c;
        }
        if (wait) {
            clientLock.lock();
        } else if (!tryLock(s.connectTimeout().plus(s.queryTimeout()))) {
            throw new Unavailable();
        }
        try {
            if (isClosed()) {
                throw new Unavailable();
            }
            if (client == null) {
                client = connections.open();
            }
            return client;
        } finally {
            clientLock.unlock();
        }
    }

    private boolean tryLock(Duration d) {
        try {
            return clientLock.tryLock(d.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void dropClient() {
        UnifiedJedis c;
        clientLock.lock();
        try {
            c = client;
            client = null;
        } finally {
            clientLock.unlock();
        }
        if (c != null) {
            try {
                c.close();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "closing the Redis client: " + e);
            }
        }
    }

    void failed(String operation, RuntimeException e) {
        if (e instanceof Unavailable) {
            return;
        }
        if (breaker.failure()) {
            LOG.log(System.Logger.Level.WARNING, "Redis cache " + s.describe() + " unusable after "
                    + (s.maxErrors() + 1) + " consecutive errors (last: " + operation + ": " + describe(e)
                    + "); bypassing it until a health check every " + seconds(s.sampleInterval())
                    + " succeeds");
            // off the request thread: closing must not make the request wait
            Thread.ofVirtual().name("xspct-redis-drop").start(this::dropClient);
        } else if (breaker.allows()) {
            LOG.log(System.Logger.Level.WARNING, "Redis cache " + operation + " failed: " + describe(e));
        }
    }

    private void probeLoop() {
        try {
            client(true); // warm up: Sentinel and Cluster discover their topology now rather than on a request
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "Redis cache not reachable at start: " + describe(e));
        }
        while (!awaitClosed(s.sampleInterval())) {
            probe();
            for (Subscriber sub : subscribers) {
                sub.checkAlive();
            }
        }
    }

    /** The health check: a PING; its success closes an open breaker (half-open probe, docs/compatibility.md: "The
    * shared tier's circuit breaker closes again"). */
    void probe() {
        try {
            client(true).ping();
            if (breaker.probeSucceeded()) {
                LOG.log(System.Logger.Level.INFO, "Redis cache " + s.describe() + " answers again; using it");
            }
        } catch (RuntimeException e) {
            if (breaker.allows()) {
                failed("health check", e);
            } else {
                LOG.log(System.Logger.Level.DEBUG, "Redis cache still unreachable: " + describe(e));
            }
        }
    }

    /** {@return true while the breaker lets requests reach Redis} */
    boolean usable() {
        return breaker.allows();
    }

    boolean isClosed() {
        return closed.getCount() == 0;
    }

    /** Waits for the interval; true when the tier was closed meanwhile. */
    private boolean awaitClosed(Duration d) {
        try {
            return closed.await(d.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    static String describe(Throwable e) {
        String m = e.getMessage();
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null && (m == null || !m.contains(cause.getMessage()))) {
            m = (m == null ? "" : m + ": ") + cause.getMessage();
        }
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() / 1000.0 + " s";
    }

    /** Starts a subscriber thread on its own connection; stopped by {@link Subscriber#stop()} or {@link #close()}. */
    Subscriber subscribe(String purpose, String channel, Subscriber.Handler handler) {
        Subscriber sub = new Subscriber(this, purpose, channel, handler);
        subscribers.add(sub);
        if (isClosed()) {
            // close() may have missed it
            sub.stop();
            return sub;
        }
        sub.start();
        return sub;
    }

    void removed(Subscriber sub) {
        subscribers.remove(sub);
    }

    @Override
    public void close() {
        if (isClosed()) {
            return;
        }
        closed.countDown();
        List<Subscriber> subs = List.copyOf(subscribers);
        subs.forEach(Subscriber::stop);
        long waitMs = s.queryTimeout().toMillis() + s.connectTimeout().toMillis() + 1000;
        join(prober, waitMs);
        for (Subscriber sub : subs) {
            join(sub.thread(), waitMs);
        }
        dropClient();
    }

    private static void join(Thread t, long millis) {
        if (t == null) {
            return;
        }
        try {
            if (!t.join(Duration.ofMillis(millis))) {
                LOG.log(System.Logger.Level.DEBUG, t.getName() + " still busy at close; left to finish");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
