package xspct.cache.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.Response;
import redis.clients.jedis.ScanIteration;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.SetParams;
import xspct.api.CacheLookup;
import xspct.api.CacheTier;
import xspct.api.ChangeFeedStateStore;
import xspct.api.ConfirmedInvalidation;
import xspct.api.Invalidation;
import xspct.api.SetSource;

/**
 * The Redis tier. Reads and writes follow SPEC 5.2-5.4 with the layout of xspct_db 0.7; every failure is counted by
 * the {@link CircuitBreaker} and answered as a miss (reads) or dropped (writes), so no request fails because Redis
 * is down, and once the breaker is open none waits for it either.
 *
 * <p>Daemon threads: the prober PINGs every {@code xspct_db_stats_sample_interval} seconds and closes the breaker
 * when Redis answers again; a subscriber listens on {@code invalidation_channel} once the core registered its
 * listener, and one more per channel subscribed through the {@link SetSource} (the prefilter's
 * {@code redis_channel}). The client is created lazily and dropped when the breaker opens, so a recovered Redis is
 * reached over fresh connections rather than the pool's dead ones.
 */
final class RedisTier implements CacheTier, ChangeFeedStateStore, ConfirmedInvalidation {
    private static final System.Logger LOG = System.getLogger(RedisTier.class.getName());
    private static final int BATCH = 1000;
    private static final String NEGATIVE_VALUE = "1";

    private final RedisCacheSettings s;
    private final RedisConnections connections;
    private final CircuitBreaker breaker;
    private final ReentrantLock clientLock = new ReentrantLock();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicReference<Consumer<Invalidation>> listener = new AtomicReference<>();
    private final Thread prober;
    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    private final SetSource sets = new Sets();
    private volatile UnifiedJedis client;

    /** Thrown instead of waiting when another thread is creating the client. Not counted as an error. */
    private static final class Unavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unavailable() {
            super("the Redis client is being created", null, false, false);
        }
    }

    RedisTier(RedisCacheSettings s, RedisConnections connections) {
        this.s = s;
        this.connections = connections;
        this.breaker = new CircuitBreaker(s.maxErrors());
        LOG.log(System.Logger.Level.INFO, "Redis cache " + s.describe() + ": bypassed after "
                + (s.maxErrors() + 1) + " consecutive errors, health check every " + seconds(s.sampleInterval()));
        this.prober = Thread.ofPlatform().daemon().name("xspct-redis-probe").start(this::probeLoop);
    }

    // ---------------------------------------------------------------- reads and writes

    @Override
    public CacheLookup lookup(String address) {
        if (!breaker.allows()) {
            return CacheLookup.MISS;
        }
        String userKey = null;
        try {
            UnifiedJedis c = client(false);
            Response<String> alias;
            Response<String> negative;
            // the negative key is read in the same round trip and used only when the alias is absent
            try (AbstractPipeline p = c.pipelined()) {
                alias = p.get(s.prefixAlias() + address);
                negative = p.get(s.prefixNegative() + address);
                p.sync();
            }
            String pk = alias.get();
            breaker.success();
            if (pk == null) {
                return negative.get() != null ? CacheLookup.NEGATIVE : CacheLookup.MISS;
            }
            userKey = s.prefixUser() + pk;
            String json = c.get(userKey);
            if (json == null) {
                return CacheLookup.MISS;
            }
            return new CacheLookup.Positive(pk, PythonJson.readObject(json));
        } catch (PythonJson.MalformedJsonException e) {
            // W17: a bad entry is a miss, and is removed so that the next answer replaces it
            LOG.log(System.Logger.Level.WARNING, "Redis cache key " + userKey + " holds malformed JSON ("
                    + e.getMessage() + "); deleted");
            deleteQuietly(userKey);
            return CacheLookup.MISS;
        } catch (RuntimeException e) {
            failed("read", e);
            return CacheLookup.MISS;
        }
    }

    @Override
    public void store(Map<String, Map<String, Object>> users, Map<String, String> aliases) {
        if (!breaker.allows() || (users.isEmpty() && aliases.isEmpty())) {
            return;
        }
        try (AbstractPipeline p = client(false).pipelined()) {
            SetParams ttl = SetParams.setParams().ex(s.expire());
            users.forEach((pk, user) -> p.set(s.prefixUser() + pk, PythonJson.write(user), ttl));
            aliases.forEach((address, pk) -> p.set(s.prefixAlias() + address, pk, ttl));
            p.sync();
            breaker.success();
        } catch (RuntimeException e) {
            failed("write", e);
        }
    }

    @Override
    public void storeNegative(Collection<String> addresses) {
        if (!breaker.allows() || addresses.isEmpty()) {
            return;
        }
        try (AbstractPipeline p = client(false).pipelined()) {
            SetParams ttl = SetParams.setParams().ex(s.expireNegative());
            for (String a : addresses) {
                p.set(s.prefixNegative() + a, NEGATIVE_VALUE, ttl);
            }
            p.sync();
            breaker.success();
        } catch (RuntimeException e) {
            failed("write", e);
        }
    }

    // ---------------------------------------------------------------- change feed positions

    /**
     * A change feed's position (an LDAP sync cookie) under {@code <invalidation_channel>:change_feed:<name>}: the
     * channel names the fleet, and the key lies outside the entry prefixes that an invalidation of all entries
     * deletes. It has no TTL.
     */
    private byte[] stateKey(String name) {
        return (s.invalidationChannel() + ":change_feed:" + name).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public Optional<byte[]> load(String name) {
        if (!breaker.allows()) {
            return Optional.empty();
        }
        try {
            byte[] v = client(false).get(stateKey(name));
            breaker.success();
            return Optional.ofNullable(v);
        } catch (RuntimeException e) {
            failed("read", e);
            return Optional.empty();
        }
    }

    @Override
    public boolean save(String name, byte[] value) {
        if (!breaker.allows()) {
            return false;
        }
        try {
            client(false).set(stateKey(name), value);
            breaker.success();
            return true;
        } catch (RuntimeException e) {
            failed("write", e);
            return false;
        }
    }

    // ---------------------------------------------------------------- invalidation

    /**
     * Removes the alias, negative and user keys of each address plus the user key its alias pointed to, then
     * announces the addresses on the invalidation channel.
     */
    @Override
    public void invalidate(Collection<String> addresses) {
        invalidateConfirmed(addresses);
    }

    @Override
    public boolean invalidateConfirmed(Collection<String> addresses) {
        List<String> list = new ArrayList<>(new LinkedHashSet<>(addresses));
        list.remove(null);
        if (list.isEmpty()) {
            return true;
        }
        if (!breaker.allows()) {
            bypassedInvalidation(list.size() + " address(es)");
            return false;
        }
        try {
            UnifiedJedis c = client(false);
            List<Response<String>> pks = new ArrayList<>(list.size());
            try (AbstractPipeline p = c.pipelined()) {
                for (String a : list) {
                    pks.add(p.get(s.prefixAlias() + a));
                }
                p.sync();
            }
            Set<String> keys = new LinkedHashSet<>();
            for (int i = 0; i < list.size(); i++) {
                String a = list.get(i);
                keys.add(s.prefixAlias() + a);
                keys.add(s.prefixNegative() + a);
                keys.add(s.prefixUser() + a);
                String pk = pks.get(i).get();
                if (pk != null) {
                    keys.add(s.prefixUser() + pk);
                }
            }
            unlink(c, keys);
            c.publish(s.invalidationChannel(), InvalidationMessage.encode(Invalidation.of(list)));
            breaker.success();
            return true;
        } catch (RuntimeException e) {
            failed("invalidate", e);
            return false;
        }
    }

    /** Deletes every key under the three prefixes with SCAN and UNLINK (never KEYS), then announces it. */
    @Override
    public void invalidateAll() {
        invalidateAllConfirmed();
    }

    @Override
    public boolean invalidateAllConfirmed() {
        if (!breaker.allows()) {
            bypassedInvalidation("all entries");
            return false;
        }
        try {
            UnifiedJedis c = client(false);
            long removed = 0;
            for (String prefix : new LinkedHashSet<>(List.of(s.prefixUser(), s.prefixAlias(), s.prefixNegative()))) {
                if (prefix.isEmpty()) {
                    // an empty prefix would match every key of the database
                    LOG.log(System.Logger.Level.WARNING, "Redis cache: a key prefix is empty; its keys are not "
                            + "deleted by an invalidation of all entries (they expire with their TTL)");
                    continue;
                }
                ScanIteration it = c.scanIteration(BATCH, globEscape(prefix) + "*");
                while (!it.isIterationCompleted()) {
                    removed += unlink(c, it.nextBatchList());
                }
            }
            c.publish(s.invalidationChannel(), InvalidationMessage.encode(Invalidation.everything()));
            breaker.success();
            LOG.log(System.Logger.Level.INFO, "Redis cache: all entries invalidated (" + removed + " keys)");
            return true;
        } catch (RuntimeException e) {
            failed("invalidate", e);
            return false;
        }
    }

    private void bypassedInvalidation(String what) {
        LOG.log(System.Logger.Level.WARNING, "Redis cache is bypassed (unreachable): " + what
                + " invalidated in this instance only; other instances and Redis keep their entries until they "
                + "expire");
    }

    /** UNLINK one key per pipelined command, which a cluster routes to the key's node. */
    private static long unlink(UnifiedJedis c, Collection<String> keys) {
        if (keys.isEmpty()) {
            return 0;
        }
        long n = 0;
        List<Response<Long>> replies = new ArrayList<>(Math.min(keys.size(), BATCH));
        AbstractPipeline p = c.pipelined();
        try {
            for (String k : keys) {
                replies.add(p.unlink(k));
                if (replies.size() == BATCH) {
                    p.sync();
                    n += sum(replies);
                    replies.clear();
                }
            }
            p.sync();
            n += sum(replies);
        } finally {
            p.close();
        }
        return n;
    }

    private static long sum(List<Response<Long>> replies) {
        long n = 0;
        for (Response<Long> r : replies) {
            Long v = r.get();
            n += v == null ? 0 : v;
        }
        return n;
    }

    /** Escapes the glob characters of a SCAN MATCH pattern so that a prefix matches literally. */
    static String globEscape(String prefix) {
        StringBuilder sb = new StringBuilder(prefix.length() + 4);
        for (int i = 0; i < prefix.length(); i++) {
            char ch = prefix.charAt(i);
            if (ch == '*' || ch == '?' || ch == '[' || ch == ']' || ch == '\\') {
                sb.append('\\');
            }
            sb.append(ch);
        }
        return sb.toString();
    }

    @Override
    public void onRemoteInvalidation(Consumer<Invalidation> listener) {
        if (!this.listener.compareAndSet(null, listener) || isClosed()) {
            return;
        }
        subscribe("invalidations", s.invalidationChannel(), new SubscriptionHandler() {
            @Override
            public void subscribed(String channel, boolean again) {
                if (again) {
                    LOG.log(System.Logger.Level.INFO, "Redis invalidation channel " + channel + " subscribed "
                            + "again; clearing in-process caches, invalidations may have been missed");
                    deliver(Invalidation.everything());
                }
            }

            @Override
            public void message(String channel, String payload) {
                InvalidationMessage.decode(payload).ifPresentOrElse(RedisTier.this::deliver,
                        () -> LOG.log(System.Logger.Level.WARNING, "ignored a message in an unknown format on "
                                + channel));
            }
        });
    }

    private void deliver(Invalidation inv) {
        Consumer<Invalidation> l = listener.get();
        if (l == null) {
            return;
        }
        try {
            l.accept(inv);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "applying a remote invalidation failed: " + e);
        }
    }

    /**
     * {@code breaker_open}: 1 while the circuit breaker bypasses Redis, else 0; and the connections of the pool to a
     * single Redis server ({@code active}, {@code idle}) once it exists.
     */
    @Override
    public Map<String, Number> gauges() {
        int open = breaker.allows() ? 0 : 1;
        if (client instanceof RedisClient rc && rc.getPool() != null) {
            return Map.of("breaker_open", open, "active", rc.getPool().getNumActive(),
                    "idle", rc.getPool().getNumIdle());
        }
        return Map.of("breaker_open", open);
    }

    // ---------------------------------------------------------------- client, breaker, probe

    /**
     * The client, created on first use (and first thing by the prober). A request waits for another thread
     * creating it (Sentinel and Cluster contact servers then) no longer than one connect and one query timeout,
     * as long as it would wait creating it itself; after that it gets {@link Unavailable}, i.e. a miss.
     */
    private UnifiedJedis client(boolean wait) {
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

    private void failed(String operation, RuntimeException e) {
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

    /** The health check: a PING; its success closes an open breaker (half-open probe, W3). */
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

    private void deleteQuietly(String key) {
        try {
            client(false).unlink(key);
        } catch (RuntimeException e) {
            failed("delete", e);
        }
    }

    private boolean isClosed() {
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

    private static String describe(Throwable e) {
        String m = e.getMessage();
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null && (m == null || !m.contains(cause.getMessage()))) {
            m = (m == null ? "" : m + ": ") + cause.getMessage();
        }
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() / 1000.0 + " s";
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
            join(sub.thread, waitMs);
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

    // ---------------------------------------------------------------- sets (prefilter source)

    @Override
    public Optional<SetSource> setSource() {
        return Optional.of(sets);
    }

    /** SMEMBERS and SUBSCRIBE for configuration kept in this Redis, under the same breaker as the cache. */
    private final class Sets implements SetSource {
        @Override
        public Set<String> members(String key) {
            if (!breaker.allows()) {
                throw new IllegalStateException("Redis " + s.describe() + " is bypassed (unreachable, circuit "
                        + "breaker open)");
            }
            try {
                Set<String> members;
                try {
                    // off the request path (reloads run on the core's scheduler): wait for a client being created
                    members = client(true).smembers(key);
                } catch (JedisConnectionException e) {
                    // a pooled connection left over from before a Redis restart fails once; a reload is rare and
                    // worth one more round trip (a request is not: it answers from the backends instead)
                    failed("SMEMBERS", e);
                    if (!breaker.allows()) {
                        throw e;
                    }
                    members = client(true).smembers(key);
                }
                breaker.success();
                return members;
            } catch (Unavailable e) {
                throw new IllegalStateException("Redis " + s.describe() + ": " + e.getMessage());
            } catch (JedisDataException e) {
                if (String.valueOf(e.getMessage()).startsWith("WRONGTYPE")) {
                    // the server answered: a key of another type is a configuration fault, not an outage
                    breaker.success();
                    throw new IllegalStateException("Redis key " + key + " is not a SET");
                }
                failed("SMEMBERS", e);
                throw new IllegalStateException("Redis " + s.describe() + ": " + describe(e));
            } catch (RuntimeException e) {
                failed("SMEMBERS", e);
                throw new IllegalStateException("Redis " + s.describe() + ": " + describe(e));
            }
        }

        @Override
        public AutoCloseable subscribe(String channel, Runnable onChange) {
            Subscriber sub = RedisTier.this.subscribe("set changes", channel, new SubscriptionHandler() {
                @Override
                public void subscribed(String ch, boolean again) {
                    if (again) {
                        LOG.log(System.Logger.Level.INFO, "Redis channel " + ch + " subscribed again; messages "
                                + "may have been missed");
                    }
                    run(ch);
                }

                @Override
                public void message(String ch, String payload) {
                    run(ch);
                }

                private void run(String ch) {
                    try {
                        onChange.run();
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, "handling a message on Redis channel " + ch
                                + " failed: " + e);
                    }
                }
            });
            return sub::stop;
        }
    }

    // ---------------------------------------------------------------- subscribers

    /** What a {@link Subscriber} does with its channel; called on the subscriber's thread. */
    private interface SubscriptionHandler {
        /**
         * The subscription is in place.
         *
         * @param channel the channel
         * @param again   true when it was lost and re-established (messages may have been missed)
         */
        void subscribed(String channel, boolean again);

        /**
         * A message arrived.
         *
         * @param channel the channel
         * @param payload the message
         */
        void message(String channel, String payload);
    }

    /** Starts a subscriber thread on its own connection; stopped by {@link Subscriber#stop()} or {@link #close()}. */
    private Subscriber subscribe(String purpose, String channel, SubscriptionHandler handler) {
        Subscriber sub = new Subscriber(purpose, channel, handler);
        subscribers.add(sub);
        if (isClosed()) {
            // close() may have missed it
            sub.stop();
            return sub;
        }
        sub.thread = Thread.ofPlatform().daemon().name("xspct-redis-subscriber-" + channel).start(sub);
        return sub;
    }

    /**
     * Listens on one channel over a dedicated connection and re-subscribes after it is lost; messages published
     * while it was not subscribed are lost, which the handler learns through {@code subscribed(again = true)}.
     */
    private final class Subscriber implements Runnable {
        private final String purpose;
        private final String channel;
        private final SubscriptionHandler handler;
        private final CountDownLatch stopped = new CountDownLatch(1);
        private volatile Thread thread;
        private volatile Jedis connection;
        private volatile JedisPubSub pubsub;
        private volatile long lastSeen = System.nanoTime();
        private volatile boolean subscribedBefore;
        private boolean lossLogged;

        Subscriber(String purpose, String channel, SubscriptionHandler handler) {
            this.purpose = purpose;
            this.channel = channel;
            this.handler = handler;
        }

        private boolean isStopped() {
            return stopped.getCount() == 0 || isClosed();
        }

        @Override
        public void run() {
            while (!isStopped()) {
                Jedis conn = null;
                try {
                    conn = connections.subscriberConnection(client(true));
                    lastSeen = System.nanoTime();
                    connection = conn;
                    if (isStopped()) {
                        break;
                    }
                    JedisPubSub ps = new Listener();
                    pubsub = ps;
                    conn.subscribe(ps, channel); // returns when the connection ends
                } catch (RuntimeException e) {
                    if (!isStopped() && !lossLogged) {
                        lossLogged = true;
                        LOG.log(System.Logger.Level.WARNING, "Redis channel " + channel + " (" + purpose
                                + ") not subscribed (" + describe(e) + "); retrying every "
                                + seconds(s.sampleInterval()));
                    }
                } finally {
                    pubsub = null;
                    connection = null;
                    closeQuietly(conn);
                }
                if (awaitStopped()) {
                    break;
                }
            }
        }

        private boolean awaitStopped() {
            try {
                return stopped.await(s.sampleInterval().toNanos(), TimeUnit.NANOSECONDS) || isClosed();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return true;
            }
        }

        /**
         * Called by the prober: PINGs over the subscription; a connection that has shown no sign of life for
         * three intervals (a server that accepts but never answers) is closed so that the loop reconnects.
         */
        void checkAlive() {
            Jedis conn = connection;
            if (conn == null) {
                return;
            }
            if (System.nanoTime() - lastSeen > 3 * s.sampleInterval().toNanos()) {
                closeQuietly(conn);
                return;
            }
            JedisPubSub ps = pubsub;
            if (ps != null && ps.isSubscribed()) {
                try {
                    ps.ping();
                } catch (RuntimeException e) {
                    closeQuietly(conn);
                }
            }
        }

        /** Ends the subscription for good; idempotent, never throws. */
        void stop() {
            stopped.countDown();
            subscribers.remove(this);
            closeQuietly(connection);
        }

        private void closeQuietly(Jedis conn) {
            if (conn == null) {
                return;
            }
            try {
                conn.close();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "closing the subscription: " + e);
            }
        }

        private final class Listener extends JedisPubSub {
            @Override
            public void onSubscribe(String ch, int subscribedChannels) {
                lastSeen = System.nanoTime();
                lossLogged = false;
                boolean again = subscribedBefore;
                subscribedBefore = true;
                LOG.log(System.Logger.Level.DEBUG, "Redis channel " + ch + " (" + purpose + ") subscribed");
                if (!breaker.allows()) {
                    // Redis answers again: close the breaker now rather than at the next health check, so that
                    // what the handler reads next (the prefilter's SET) is not refused by a stale breaker
                    probe();
                }
                handler.subscribed(ch, again);
            }

            @Override
            public void onMessage(String ch, String message) {
                lastSeen = System.nanoTime();
                handler.message(ch, message);
            }

            @Override
            public void onPong(String pattern) {
                lastSeen = System.nanoTime();
            }
        }
    }
}
