package xspct.cache.redis;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

/**
 * Listens on one channel over a dedicated connection and re-subscribes after it is lost; messages published while it
 * was not subscribed are lost, which the handler learns through {@code subscribed(again = true)}.
 */
final class Subscriber implements Runnable {
    private static final System.Logger LOG = System.getLogger(RedisTier.class.getName());

    /** What a subscriber does with its channel; called on the subscriber's thread. */
    interface Handler {
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

    private final RedisLink link;
    private final String purpose;
    private final String channel;
    private final Handler handler;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile Thread thread;
    private volatile Jedis connection;
    private volatile JedisPubSub pubsub;
    private volatile long lastSeen = System.nanoTime();
    private volatile boolean subscribedBefore;
    private boolean lossLogged;

    Subscriber(RedisLink link, String purpose, String channel, Handler handler) {
        this.link = link;
        this.purpose = purpose;
        this.channel = channel;
        this.handler = handler;
    }

    /** Starts the subscriber's thread. */
    void start() {
        thread = Thread.ofPlatform().daemon().name("xspct-redis-subscriber-" + channel).start(this);
    }

    /** {@return the subscriber's thread, or null before it started} */
    Thread thread() {
        return thread;
    }

    private boolean isStopped() {
        return stopped.getCount() == 0 || link.isClosed();
    }

    @Override
    public void run() {
        while (!isStopped()) {
            Jedis conn = null;
            try {
                conn = link.connections().subscriberConnection(link.client(true));
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
                            + ") not subscribed (" + RedisLink.describe(e) + "); retrying every "
                            + RedisLink.seconds(link.settings().sampleInterval()));
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
            return stopped.await(link.settings().sampleInterval().toNanos(), TimeUnit.NANOSECONDS) || link.isClosed();
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
        if (System.nanoTime() - lastSeen > 3 * link.settings().sampleInterval().toNanos()) {
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
        link.removed(this);
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
            if (!link.breaker().allows()) {
                // Redis answers again: close the breaker now rather than at the next health check, so that
                // what the handler reads next (the prefilter's SET) is not refused by a stale breaker
                link.probe();
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
