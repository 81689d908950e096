package xspct.cache.redis;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.ScanIteration;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.SetParams;
import xspct.api.CacheLookup;
import xspct.api.CacheTier;
import xspct.api.ChangeFeedStateStore;
import xspct.api.ConfirmedInvalidation;
import xspct.api.Invalidation;
import xspct.api.InvalidationChannel;
import xspct.api.ResourceGauges;
import xspct.api.SetSource;
import xspct.api.SetStore;

/**
 * The Redis tier: the object cache with the key layout of xspct_db 0.7, and its invalidation channel. Every failure
 * is counted by the {@link CircuitBreaker} and answered as a miss (reads) or dropped (writes), so no request fails
 * because Redis is down, and once the breaker is open none waits for it either. The client, the breaker's health
 * check and the subscribers are the {@link RedisLink}'s; the sets for the prefilter are {@link RedisSets}. A
 * subscriber listens on {@code invalidation_channel} once the core registered its listener.
 */
final class RedisTier implements CacheTier, InvalidationChannel, SetStore, ResourceGauges, ChangeFeedStateStore,
        ConfirmedInvalidation {
    private static final System.Logger LOG = System.getLogger(RedisTier.class.getName());
    private static final int BATCH = 1000;
    private static final String NEGATIVE_VALUE = "1";

    private final RedisCacheSettings s;
    private final RedisLink link;
    private final CircuitBreaker breaker;
    private final AtomicReference<Consumer<Invalidation>> listener = new AtomicReference<>();
    private final SetSource sets;

    RedisTier(RedisCacheSettings s, RedisConnections connections) {
        this.s = s;
        this.link = new RedisLink(s, connections);
        this.breaker = link.breaker();
        this.sets = new RedisSets(link);
    }

    // ---------------------------------------------------------------- reads and writes

    @Override
    public CacheLookup lookup(String address) {
        if (!breaker.allows()) {
            return CacheLookup.MISS;
        }
        String userKey = null;
        try {
            UnifiedJedis c = link.client(false);
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
            // a bad entry is a miss, and is removed so that the next answer replaces it
            LOG.log(System.Logger.Level.WARNING, "Redis cache key " + userKey + " holds malformed JSON ("
                    + e.getMessage() + "); deleted");
            deleteQuietly(userKey);
            return CacheLookup.MISS;
        } catch (RuntimeException e) {
            link.failed("read", e);
            return CacheLookup.MISS;
        }
    }

    @Override
    public void store(Map<String, Map<String, Object>> users, Map<String, String> aliases) {
        if (!breaker.allows() || (users.isEmpty() && aliases.isEmpty())) {
            return;
        }
        try (AbstractPipeline p = link.client(false).pipelined()) {
            SetParams ttl = SetParams.setParams().ex(s.expire());
            users.forEach((pk, user) -> p.set(s.prefixUser() + pk, PythonJson.write(user), ttl));
            aliases.forEach((address, pk) -> p.set(s.prefixAlias() + address, pk, ttl));
            p.sync();
            breaker.success();
        } catch (RuntimeException e) {
            link.failed("write", e);
        }
    }

    @Override
    public void storeNegative(Collection<String> addresses) {
        if (!breaker.allows() || addresses.isEmpty()) {
            return;
        }
        try (AbstractPipeline p = link.client(false).pipelined()) {
            SetParams ttl = SetParams.setParams().ex(s.expireNegative());
            for (String a : addresses) {
                p.set(s.prefixNegative() + a, NEGATIVE_VALUE, ttl);
            }
            p.sync();
            breaker.success();
        } catch (RuntimeException e) {
            link.failed("write", e);
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
            byte[] v = link.client(false).get(stateKey(name));
            breaker.success();
            return Optional.ofNullable(v);
        } catch (RuntimeException e) {
            link.failed("read", e);
            return Optional.empty();
        }
    }

    @Override
    public boolean save(String name, byte[] value) {
        if (!breaker.allows()) {
            return false;
        }
        try {
            link.client(false).set(stateKey(name), value);
            breaker.success();
            return true;
        } catch (RuntimeException e) {
            link.failed("write", e);
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
            UnifiedJedis c = link.client(false);
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
            link.failed("invalidate", e);
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
            UnifiedJedis c = link.client(false);
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
            link.failed("invalidate", e);
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
        if (!this.listener.compareAndSet(null, listener) || link.isClosed()) {
            return;
        }
        link.subscribe("invalidations", s.invalidationChannel(), new Subscriber.Handler() {
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

    private void deleteQuietly(String key) {
        try {
            link.client(false).unlink(key);
        } catch (RuntimeException e) {
            link.failed("delete", e);
        }
    }

    /** {@return true while the breaker lets requests reach Redis} */
    boolean usable() {
        return breaker.allows();
    }

    /** The health check (see {@link RedisLink#probe()}). */
    void probe() {
        link.probe();
    }

    /** Connections of the pool to a single Redis server ({@code active}, {@code idle}); empty before the first use. */
    @Override
    public Map<String, Number> gauges() {
        return link.gauges();
    }

    @Override
    public SetSource sets() {
        return sets;
    }

    @Override
    public void close() {
        link.close();
    }
}
