package xspct.core;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import xspct.core.codec.BodyCodecs;
import xspct.core.codec.BodyFormat;
import xspct.core.stats.Counters;
import xspct.core.stats.Counters.Name;
import xspct.core.lookup.CanonicalAddresses;
import xspct.core.rspamd.RspamdPolicy;
import xspct.core.admission.RequestSlots;
import xspct.core.admission.SingleFlight;
import xspct.core.admission.ResponseCache;

/**
 * The three lookup endpoints behind HTTP: response cache (checked before a slot is taken, stored inside the task
 * so that detached completions warm it), single flight per response-cache key (concurrent identical requests share
 * one computation), the slot regime, and encoding.
 */
public final class Endpoints {
    private static final System.Logger LOG = System.getLogger(Endpoints.class.getName());
    private static final String QUERY_JSON = "query-json";
    private static final String RSPAMD_SETTINGS = "rspamd-settings";

    /**
     * The answer to an rspamd-settings body seen before.
     *
     * @param result the answer
     * @param logId  the id of its log lines: the body's {@code uid}, else the id header's value
     */
    public record Recalled(EndpointResult result, String logId) {
    }

    private final Lookups pipeline;
    private final RspamdPolicy policy;
    private final ResponseCache cache;
    private final List<String> rspamdKeyFields;
    private final RequestSlots slots;
    private final BodyCodecs codecs;
    private final Counters counters;
    private final double requestTimeout;
    private final SingleFlight<ResponseCache.Key, EndpointResult> flights = new SingleFlight<>();

    /**
     * Assembles the endpoints.
     *
     * @param pipeline        the query pipeline
     * @param policy          the Rspamd rules and reject levels
     * @param cache           the response cache
     * @param rspamdKeyFields {@code rspamd_key_fields}
     * @param slots           the slot regime
     * @param codecs          the body codecs
     * @param counters        the counters
     * @param requestTimeout  {@code xspct_db_request_timeout} in seconds
     */
    public Endpoints(Lookups pipeline, RspamdPolicy policy, ResponseCache cache, List<String> rspamdKeyFields,
                     RequestSlots slots, BodyCodecs codecs, Counters counters, double requestTimeout) {
        this.pipeline = pipeline;
        this.policy = policy;
        this.cache = cache;
        this.rspamdKeyFields = List.copyOf(rspamdKeyFields);
        this.slots = slots;
        this.codecs = codecs;
        this.counters = counters;
        this.requestTimeout = requestTimeout;
    }

    /** {@return the response cache (for invalidation)} */
    ResponseCache responseCache() {
        return cache;
    }

    /** {@return the slot regime} */
    RequestSlots slots() {
        return slots;
    }

    /** {@return the body codecs} */
    public BodyCodecs codecs() {
        return codecs;
    }

    /**
     * {@code GET /v1/query/{user}} .
     *
     * @param user           the decoded address
     * @param timeoutSeconds the effective timeout 
     * @param format         the response format
     * @return the answer
     * @throws Exception an unexpected failure (generic 500)
     */
    public EndpointResult get(String user, double timeoutSeconds, BodyFormat format) throws Exception {
        return result(slots.run(timeoutSeconds, () -> users(pipeline.get(user), format)));
    }

    /**
     * {@code POST /v1/query-json} , after parsing, authentication and the size limit.
     *
     * @param users  the requested addresses
     * @param format the response format
     * @return the answer
     * @throws Exception an unexpected failure (generic 500)
     */
    public EndpointResult queryJson(List<String> users, BodyFormat format) throws Exception {
        return queryJson(users, format, Optional.empty());
    }

    /**
     * {@code POST /v1/query-json} answered from the response cache by its body alone, before decoding: the body was
     * seen before and its answer is still cached.
     *
     * @param contentType the request's {@code Content-Type}, or null
     * @param body        the body as received
     * @param format      the response format
     * @return the answer, or empty when the body must be decoded and {@link #queryJson(List, BodyFormat, String,
     *         byte[])} called
     */
    public Optional<EndpointResult> queryJsonSeen(String contentType, byte[] body, BodyFormat format) {
        return recalled(new ResponseCache.Seen(QUERY_JSON, contentType, format, body)).map(ResponseCache.Recalled::entry)
                .map(e -> new EndpointResult.Body(e.body(), e.contentType()));
    }

    /**
     * {@code POST /v1/rspamd-settings} answered from the response cache by its body alone, before decoding: the body
     * was seen before and its answer is still cached.
     *
     * @param contentType the request's {@code Content-Type}, or null
     * @param body        the body as received
     * @param format      the response format
     * @param headerLogId the id header's value (used when the body has no {@code uid})
     * @return the answer and its log id, or empty when the body must be decoded and {@link
     *         #rspamdSettings(RspamdRequest, BodyFormat, String, String, byte[])} called
     */
    public Optional<Recalled> rspamdSettingsSeen(String contentType, byte[] body, BodyFormat format,
                                                 String headerLogId) {
        return recalled(new ResponseCache.Seen(RSPAMD_SETTINGS, contentType, format, body)).map(r -> {
            String id = logId(r.logId(), headerLogId);
            answeredFromCache(id);
            return new Recalled(new EndpointResult.Body(r.entry().body(), r.entry().contentType()), id);
        });
    }

    /**
     * The id of an Rspamd request's log lines.
     *
     * @param uid         the body's {@code uid}, or empty
     * @param headerLogId the id header's value, or empty
     * @return the {@code uid}, else the header's value
     */
    public static String logId(String uid, String headerLogId) {
        return uid.isEmpty() ? headerLogId : uid;
    }

    private Optional<ResponseCache.Recalled> recalled(ResponseCache.Seen request) {
        Optional<ResponseCache.Recalled> r = cache.get(request);
        if (r.isPresent()) {
            counters.inc(Name.RESPONSE_CACHE_HITS); // a miss is counted by the decoded request's lookup that follows
        }
        return r;
    }

    /**
     * {@code POST /v1/query-json} , after parsing, authentication and the size limit, remembering the body for
     * {@link #queryJsonSeen}.
     *
     * @param users       the requested addresses, decoded from the body
     * @param format      the response format
     * @param contentType the request's {@code Content-Type}, or null
     * @param body        the body as received (not copied: the caller must not change it)
     * @return the answer
     * @throws Exception an unexpected failure (generic 500)
     */
    public EndpointResult queryJson(List<String> users, BodyFormat format, String contentType, byte[] body)
            throws Exception {
        return queryJson(users, format, Optional.of(new ResponseCache.Seen(QUERY_JSON, contentType, format, body)));
    }

    private EndpointResult queryJson(List<String> users, BodyFormat format, Optional<ResponseCache.Seen> request)
            throws Exception {
        CanonicalAddresses admitted = pipeline.canonicalise(users);
        if (admitted.isEmpty()) {
            return users(new Reply.Users(Map.of()), format);
        }
        List<String> survivors = admitted.originals();
        String[] sorted = survivors.toArray(new String[0]);
        Arrays.sort(sorted);
        ResponseCache.Key key = new ResponseCache.Key(QUERY_JSON, List.of(List.of(sorted)), format);
        request.ifPresent(r -> cache.remember(r, key, ""));
        Optional<EndpointResult> hit = cached(key);
        if (hit.isPresent()) {
            return hit.get();
        }
        return shared(key, () -> {
            long since = cache.now();
            Reply reply = pipeline.batch(admitted);
            EndpointResult r = users(reply, format);
            // a snapshot's answer is not cached: the backends answer again as soon as they are back
            if (r instanceof EndpointResult.Body b && reply instanceof Reply.Users u && u.source().isEmpty()) {
                Set<String> addresses = new LinkedHashSet<>(survivors);
                u.users().values().forEach(obj -> {
                    addStrings(addresses, obj.get("mail"));
                    addStrings(addresses, obj.get("aliases"));
                });
                cache.put(key, new ResponseCache.Entry(b.body(), b.contentType()), addresses, since);
            }
            return r;
        });
    }

    /**
     * {@code POST /v1/rspamd-settings} . Backend errors never fail the request.
     *
     * @param request the parsed request
     * @param format  the response format
     * @param logId   Rspamd's id for log lines
     * @return the answer
     * @throws Exception an unexpected failure (generic 500)
     */
    public EndpointResult rspamdSettings(RspamdRequest request, BodyFormat format, String logId) throws Exception {
        return rspamdSettings(request, format, logId, Optional.empty());
    }

    /**
     * {@code POST /v1/rspamd-settings} , remembering the body for {@link #rspamdSettingsSeen}. Backend errors never
     * fail the request.
     *
     * @param request     the parsed request
     * @param format      the response format
     * @param logId       Rspamd's id for log lines
     * @param contentType the request's {@code Content-Type}, or null
     * @param body        the body as received (not copied: the caller must not change it)
     * @return the answer
     * @throws Exception an unexpected failure (generic 500)
     */
    public EndpointResult rspamdSettings(RspamdRequest request, BodyFormat format, String logId, String contentType,
                                         byte[] body) throws Exception {
        return rspamdSettings(request, format, logId,
                Optional.of(new ResponseCache.Seen(RSPAMD_SETTINGS, contentType, format, body)));
    }

    private EndpointResult rspamdSettings(RspamdRequest request, BodyFormat format, String logId,
                                          Optional<ResponseCache.Seen> seen) throws Exception {
        ResponseCache.Key key = new ResponseCache.Key(RSPAMD_SETTINGS, request.keyParts(rspamdKeyFields), format);
        seen.ifPresent(r -> cache.remember(r, key, request.uid()));
        Optional<EndpointResult> hit = cached(key);
        if (hit.isPresent()) {
            answeredFromCache(logId);
            return hit.get();
        }
        return shared(key, () -> {
            long since = cache.now();
            RspamdUsers r = pipeline.rspamd(request.from(), request.rcpts());
            Map<String, Object> settings = policy.settings(r.users(), r.keys(), r.rcptKeys());
            byte[] body = codecs.encode(format, settings);
            if (r.complete() && r.source().isEmpty()) {
                Set<String> addresses = new LinkedHashSet<>();
                addresses.add(request.from());
                addresses.addAll(request.rcpts());
                addresses.addAll(r.keys().keySet());
                addresses.addAll(r.keys().values());
                cache.put(key, new ResponseCache.Entry(body, format.contentType()), addresses, since);
            }
            rspamdAnswered(logId, request, r, settings);
            return new EndpointResult.Body(body, format.contentType(), r.source());
        });
    }

    private static void answeredFromCache(String logId) {
        LOG.log(System.Logger.Level.DEBUG, () -> "rspamd settings <" + logId + ">: answered from the response cache");
    }

    private static void rspamdAnswered(String logId, RspamdRequest request, RspamdUsers r,
                                       Map<String, Object> settings) {
        LOG.log(System.Logger.Level.INFO, "<" + logId + "> from=" + request.from() + " rcpts=" + request.rcpts().size()
                + " users=" + r.users().size() + " applied=" + appliedRules(settings)
                + (r.complete() ? "" : " (partial: a backend failed, not cached)"));
    }

    private Optional<EndpointResult> cached(ResponseCache.Key key) {
        Optional<ResponseCache.Entry> e = cache.get(key);
        if (e.isPresent()) {
            counters.inc(Name.RESPONSE_CACHE_HITS);
            return Optional.of(new EndpointResult.Body(e.get().body(), e.get().contentType()));
        }
        counters.inc(Name.RESPONSE_CACHE_MISSES); // counted even when the cache is disabled, as in the original
        return Optional.empty();
    }

    /** Runs the computation for a key once at a time, in a slot: requests arriving meanwhile share its outcome. */
    private EndpointResult shared(ResponseCache.Key key, RequestSlots.Task<EndpointResult> compute)
            throws Exception {
        return flights.run(key, () -> result(slots.run(requestTimeout, compute)));
    }

    private static EndpointResult result(RequestSlots.Outcome<EndpointResult> o) {
        return switch (o) {
            case RequestSlots.Outcome.Done<EndpointResult> d -> d.value();
            case RequestSlots.Outcome.Overloaded<EndpointResult> x -> new EndpointResult.Overloaded();
            case RequestSlots.Outcome.TimedOut<EndpointResult> x -> new EndpointResult.TimedOut();
        };
    }

    private EndpointResult users(Reply reply, BodyFormat format) {
        return switch (reply) {
            case Reply.Failure f -> new EndpointResult.Failure(f.body());
            case Reply.Users u -> new EndpointResult.Body(codecs.encode(format, Map.of("users", u.users())),
                    format.contentType(), u.source());
        };
    }

    private static void addStrings(Set<String> out, Object values) {
        if (values instanceof List<?> l) {
            for (Object v : l) {
                if (v instanceof String str) {
                    out.add(str);
                }
            }
        } else if (values instanceof String str) {
            out.add(str);
        }
    }

    private static Object appliedRules(Map<String, Object> settings) {
        if (settings.get("settings_data") instanceof Map<?, ?> data
                && data.get("profile") instanceof Map<?, ?> profile) {
            return profile.get("applied_rules");
        }
        return Arrays.asList();
    }
}
