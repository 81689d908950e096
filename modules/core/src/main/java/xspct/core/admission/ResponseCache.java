package xspct.core.admission;

import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;

import xspct.api.ConfigNode;
import xspct.core.codec.BodyFormat;

/**
 * {@code xspct_db_response_cache} : encoded responses of {@code query-json} and {@code rspamd-settings},
 * bounded by {@code max_entries} (least recently used evicted first) and expiring {@code expire} seconds after
 * they were stored. Thread-safe.
 *
 * <p>Each entry remembers the addresses it was computed from (requested, canonical and resolved), so that
 * {@link #invalidate(Collection)} can drop the answers a changed user appears in. An answer whose computation started
 * before an invalidation of one of its addresses is not stored: it may hold what the invalidation was about.
 *
 * <p>A request body seen before finds its key without being decoded again ({@link #get(Seen)}): clients such as
 * Rspamd repeat the same bodies, and decoding one costs more than answering it from here. What a body maps to is
 * only its key, so expiry and invalidation apply exactly as to a decoded request.
 */
public final class ResponseCache {

    /** Rspamd request fields that can be part of a key . */
    static final Set<String> KEY_FIELDS = Set.of("from", "rcpts", "mta-name", "settings-name", "settings-id");

    private final boolean enabled;
    private final int maxEntries;
    private final long expireNanos;
    private final LongSupplier clock;
    private final LinkedHashMap<Key, Stored> entries;
    /** Bodies seen, to the keys their decoding gave; least recently used dropped first; guarded by {@link #entries}. */
    private final LinkedHashMap<Seen, Decoded> seen;
    /** Larger bodies are decoded every time: the map of seen bodies holds at most max_entries times this. */
    static final int MAX_SEEN_BODY = 2048;
    /** Invalidated addresses are remembered in this many stripes (a collision only drops a harmless put). */
    private static final int STRIPES = 1 << 12;
    /** Per stripe of addresses, the clock reading of its latest invalidation; guarded by {@link #entries}. */
    private final long[] invalidatedAt = new long[STRIPES];
    /** The clock reading of the latest invalidation of everything; guarded by {@link #entries}. */
    private long everythingInvalidatedAt;
    private boolean invalidatedOnce;

    /**
     * A cache key.
     *
     * @param endpoint {@code query-json} or {@code rspamd-settings}
     * @param parts    the request values the answer depends on (nulls allowed)
     * @param format   the response format
     */
    public record Key(String endpoint, List<Object> parts, BodyFormat format) {
    }

    /**
     * A cached response.
     *
     * @param body        the encoded body
     * @param contentType its content type
     */
    public record Entry(byte[] body, String contentType) {
    }

    private record Stored(Entry entry, long storedAt, long computedSince, Set<String> addresses) {
    }

    /**
     * What a body seen before decoded to.
     *
     * @param key   its key
     * @param logId the id its log lines carry that the body gave (Rspamd's {@code uid}), or empty
     */
    private record Decoded(Key key, String logId) {
    }

    /**
     * The answer to a request body seen before.
     *
     * @param entry the cached answer
     * @param logId the id its log lines carry that the body gave when it was decoded, or empty
     */
    public record Recalled(Entry entry, String logId) {
    }

    /**
     * A request as it arrived, before decoding: equal bodies of the same content type, asking for the same format,
     * decode to the same key.
     */
    public static final class Seen {
        private final String endpoint;
        private final String contentType;
        private final BodyFormat format;
        private final byte[] body;
        private final int hash;

        /**
         * Describes a request.
         *
         * @param endpoint    the endpoint's key name, as in {@link Key#endpoint()}
         * @param contentType the request's {@code Content-Type}, or null
         * @param format      the response format
         * @param body        the body as received (not copied: the caller must not change it)
         */
        public Seen(String endpoint, String contentType, BodyFormat format, byte[] body) {
            this.endpoint = endpoint;
            this.contentType = contentType;
            this.format = format;
            this.body = body;
            this.hash = (31 * endpoint.hashCode() + Objects.hashCode(contentType)) * 31 + Arrays.hashCode(body);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Seen other && hash == other.hash && endpoint.equals(other.endpoint)
                    && Objects.equals(contentType, other.contentType) && format.equals(other.format)
                    && Arrays.equals(body, other.body);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /**
     * The configured settings of the cache.
     *
     * @param enabled         {@code enabled}
     * @param expireSeconds   {@code expire}
     * @param maxEntries      {@code max_entries}
     * @param rspamdKeyFields {@code rspamd_key_fields}
     */
    public record Settings(boolean enabled, double expireSeconds, int maxEntries, List<String> rspamdKeyFields) {

        /**
         * Reads the merged section; problems are recorded against their key paths. An empty
         * {@code rspamd_key_fields} is refused (docs/compatibility.md: "Response cache keys always include the
         * recipients"): every Rspamd request would get the same answer.
         *
         * @param section the merged {@code xspct_db_response_cache} section
         * @return the settings
         */
        public static Settings read(ConfigNode section) {
            boolean enabled = section.get("enabled").asBoolean(true);
            double expire = section.get("expire").asDouble(10);
            if (expire < 0 || Double.isNaN(expire)) {
                section.get("expire").problem("must not be negative");
                expire = 10;
            }
            int max = section.get("max_entries").asInt(5000);
            if (max < 0) {
                section.get("max_entries").problem("must not be negative");
                max = 5000;
            }
            ConfigNode kf = section.get("rspamd_key_fields");
            List<String> fields = kf.asStringList(List.of("from", "rcpts", "mta-name", "settings-name",
                    "settings-id"));
            if (kf.isList() && fields.isEmpty()) {
                kf.problem("must name at least one request field (e.g. [from, rcpts]); with none, every Rspamd "
                        + "request would be answered with the same cached settings");
            }
            for (String f : fields) {
                if (!KEY_FIELDS.contains(f)) {
                    kf.warning("'" + f + "' is not a request field the key can use ("
                            + String.join(", ", KEY_FIELDS.stream().sorted().toList())
                            + "); it adds nothing to the key");
                }
            }
            return new Settings(enabled, expire, max, List.copyOf(fields));
        }
    }

    /**
     * Creates the cache.
     *
     * @param settings the settings
     * @param clock    monotonic time in nanoseconds, e.g. {@code System::nanoTime}
     */
    public ResponseCache(Settings settings, LongSupplier clock) {
        this.enabled = settings.enabled() && settings.maxEntries() > 0 && settings.expireSeconds() > 0;
        this.maxEntries = settings.maxEntries();
        this.expireNanos = (long) (settings.expireSeconds() * 1e9);
        this.clock = clock;
        this.entries = leastRecentlyUsedFirst(maxEntries);
        this.seen = leastRecentlyUsedFirst(maxEntries);
        // "never invalidated" reads as the creation time, which precedes every computation
        long created = clock.getAsLong();
        Arrays.fill(invalidatedAt, created);
        this.everythingInvalidatedAt = created;
    }

    /** {@return true when answers are cached} */
    public boolean enabled() {
        return enabled;
    }

    /**
     * A stored answer that has not expired.
     *
     * @param key the key
     * @return the answer, if cached
     */
    public Optional<Entry> get(Key key) {
        if (!enabled) {
            return Optional.empty();
        }
        synchronized (entries) {
            Stored s = entries.get(key);
            if (s == null) {
                return Optional.empty();
            }
            if (clock.getAsLong() - s.storedAt() >= expireNanos) {
                entries.remove(key);
                return Optional.empty();
            }
            return Optional.of(s.entry());
        }
    }

    /**
     * The stored answer of a request body seen before, if it has not expired nor been invalidated.
     *
     * @param request the request as received
     * @return the answer, if cached
     */
    public Optional<Recalled> get(Seen request) {
        if (!enabled || request.body.length > MAX_SEEN_BODY) {
            return Optional.empty();
        }
        Decoded d;
        synchronized (entries) {
            d = seen.get(request);
        }
        return d == null ? Optional.empty() : get(d.key()).map(e -> new Recalled(e, d.logId()));
    }

    /**
     * Remembers the key a request body decoded to, for {@link #get(Seen)}.
     *
     * @param request the request as received
     * @param key     the key its decoding gave
     * @param logId   the id its log lines carry that the body gave (Rspamd's {@code uid}), or empty
     */
    public void remember(Seen request, Key key, String logId) {
        if (!enabled || request.body.length > MAX_SEEN_BODY) {
            return;
        }
        synchronized (entries) {
            seen.put(request, new Decoded(key, logId));
        }
    }

    /** A map in access order that drops its least recently used mapping once it holds more than {@code max}. */
    private static <K, V> LinkedHashMap<K, V> leastRecentlyUsedFirst(int max) {
        return new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > max;
            }
        };
    }

    /** {@return the cache's clock reading, to pass to {@link #put} as the start of a computation} */
    public long now() {
        return clock.getAsLong();
    }

    /**
     * Stores an answer, unless a live entry computed from newer data is already there: a detached background task
     * finishing late must not replace a fresher answer (docs/compatibility.md: "Concurrency is bounded and identical
     * requests share one lookup").
     *
     * @param key           the key
     * @param entry         the answer
     * @param addresses     the addresses the answer was computed from, for {@link #invalidate(Collection)}
     * @param computedSince {@link #now()} when the computation started
     */
    public void put(Key key, Entry entry, Collection<String> addresses, long computedSince) {
        if (!enabled) {
            return;
        }
        synchronized (entries) {
            long now = clock.getAsLong();
            Stored old = entries.get(key);
            if (old != null && now - old.storedAt() < expireNanos && old.computedSince() - computedSince > 0) {
                return;
            }
            if (invalidatedSince(computedSince, addresses)) {
                return;
            }
            entries.put(key, new Stored(entry, now, computedSince, Set.copyOf(new HashSet<>(addresses))));
        }
    }

    /**
     * Drops every answer computed from one of the addresses.
     *
     * @param addresses requested, canonical or primary-key addresses (compared exactly)
     */
    public void invalidate(Collection<String> addresses) {
        Set<String> gone = new HashSet<>(addresses);
        synchronized (entries) {
            long now = clock.getAsLong();
            invalidatedOnce = true;
            for (String a : gone) {
                if (a != null) {
                    invalidatedAt[stripe(a)] = now;
                }
            }
            entries.values().removeIf(s -> !java.util.Collections.disjoint(s.addresses(), gone));
        }
    }

    /** Drops every answer. */
    public void invalidateAll() {
        synchronized (entries) {
            invalidatedOnce = true;
            everythingInvalidatedAt = clock.getAsLong();
            entries.clear();
        }
    }

    /** Whether one of the addresses was invalidated after {@code since} (a clock reading); holds the lock. */
    private boolean invalidatedSince(long since, Collection<String> addresses) {
        if (!invalidatedOnce) {
            return false;
        }
        if (everythingInvalidatedAt - since > 0) {
            return true;
        }
        for (String a : addresses) {
            if (a != null && invalidatedAt[stripe(a)] - since > 0) {
                return true;
            }
        }
        return false;
    }

    private static int stripe(String address) {
        int h = address.hashCode();
        return (h ^ (h >>> 16)) & (STRIPES - 1);
    }

    /** {@return the number of stored answers, expired ones included until they are read or evicted} */
    public int size() {
        synchronized (entries) {
            return entries.size();
        }
    }

    /** Snapshot for tests and metrics: key to stored time. */
    Map<Key, Long> snapshot() {
        synchronized (entries) {
            Map<Key, Long> m = new LinkedHashMap<>();
            entries.forEach((k, v) -> m.put(k, v.storedAt()));
            return m;
        }
    }
}
