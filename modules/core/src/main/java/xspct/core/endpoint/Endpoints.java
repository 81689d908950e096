package xspct.core.endpoint;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

import xspct.core.codec.BodyCodecs;
import xspct.core.codec.BodyFormat;
import xspct.core.pipeline.Counters;
import xspct.core.pipeline.Counters.Name;
import xspct.core.pipeline.LookupPipeline;
import xspct.core.pipeline.Reply;
import xspct.core.pipeline.RspamdLookup;
import xspct.core.rspamd.RspamdPolicy;
import xspct.core.rspamd.RspamdRequest;

/**
 * The three lookup endpoints behind HTTP: response cache (checked before a slot is taken, stored inside the task
 * so that detached completions warm it), single flight per response-cache key (concurrent identical requests share
 * one computation, SPEC 13 W21), the slot regime, and encoding.
 */
public final class Endpoints {
    private static final System.Logger LOG = System.getLogger(Endpoints.class.getName());

    private final LookupPipeline pipeline;
    private final RspamdLookup rspamd;
    private final RspamdPolicy policy;
    private final ResponseCache cache;
    private final List<String> rspamdKeyFields;
    private final RequestSlots slots;
    private final BodyCodecs codecs;
    private final Counters counters;
    private final double requestTimeout;
    private final Map<ResponseCache.Key, CompletableFuture<EndpointResult>> flights = new ConcurrentHashMap<>();

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
    public Endpoints(LookupPipeline pipeline, RspamdPolicy policy, ResponseCache cache, List<String> rspamdKeyFields,
                     RequestSlots slots, BodyCodecs codecs, Counters counters, double requestTimeout) {
        this.pipeline = pipeline;
        this.rspamd = new RspamdLookup(pipeline);
        this.policy = policy;
        this.cache = cache;
        this.rspamdKeyFields = List.copyOf(rspamdKeyFields);
        this.slots = slots;
        this.codecs = codecs;
        this.counters = counters;
        this.requestTimeout = requestTimeout;
    }

    /** {@return the response cache (for invalidation)} */
    public ResponseCache responseCache() {
        return cache;
    }

    /** {@return the slot regime} */
    public RequestSlots slots() {
        return slots;
    }

    /** {@return the body codecs} */
    public BodyCodecs codecs() {
        return codecs;
    }

    /**
     * {@code GET /v1/query/{user}} (SPEC 3.1).
     *
     * @param user           the decoded address
     * @param timeoutSeconds the effective timeout (SPEC 10.2)
     * @param format         the response format
     * @return the answer
     * @throws Exception an unexpected failure (generic 500)
     */
    public EndpointResult get(String user, double timeoutSeconds, BodyFormat format) throws Exception {
        return result(slots.run(timeoutSeconds, () -> users(pipeline.get(user), format)));
    }

    /**
     * {@code POST /v1/query-json} (SPEC 3.2), after parsing, authentication and the size limit.
     *
     * @param users  the requested addresses
     * @param format the response format
     * @return the answer
     * @throws Exception an unexpected failure (generic 500)
     */
    public EndpointResult queryJson(List<String> users, BodyFormat format) throws Exception {
        List<String> survivors = pipeline.prefiltered(users);
        if (survivors.isEmpty()) {
            return users(new Reply.Users(Map.of()), format);
        }
        List<String> sorted = new ArrayList<>(survivors);
        Collections.sort(sorted);
        ResponseCache.Key key = new ResponseCache.Key("query-json", List.of(List.copyOf(sorted)), format);
        Optional<EndpointResult> hit = cached(key);
        if (hit.isPresent()) {
            return hit.get();
        }
        return shared(key, () -> {
            long since = cache.now();
            Reply reply = pipeline.batchPrefiltered(survivors);
            EndpointResult r = users(reply, format);
            if (r instanceof EndpointResult.Body b && reply instanceof Reply.Users u) {
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
     * {@code POST /v1/rspamd-settings} (SPEC 3.3, 9). Backend errors never fail the request.
     *
     * @param request the parsed request
     * @param format  the response format
     * @param logId   Rspamd's id for log lines
     * @return the answer
     * @throws Exception an unexpected failure (generic 500)
     */
    public EndpointResult rspamdSettings(RspamdRequest request, BodyFormat format, String logId) throws Exception {
        ResponseCache.Key key = new ResponseCache.Key("rspamd-settings", request.keyParts(rspamdKeyFields), format);
        Optional<EndpointResult> hit = cached(key);
        if (hit.isPresent()) {
            LOG.log(System.Logger.Level.DEBUG, () -> "rspamd settings <" + logId + ">: answered from the response "
                    + "cache");
            return hit.get();
        }
        return shared(key, () -> {
            long since = cache.now();
            RspamdLookup.Resolved r = rspamd.resolve(request.from(), request.rcpts());
            Map<String, Object> settings = policy.settings(r.users(), r.u2p(), r.rcptKeys());
            byte[] body = codecs.encode(format, settings);
            if (r.complete()) {
                Set<String> addresses = new LinkedHashSet<>();
                addresses.add(request.from());
                addresses.addAll(request.rcpts());
                addresses.addAll(r.u2p().keySet());
                addresses.addAll(r.u2p().values());
                cache.put(key, new ResponseCache.Entry(body, format.contentType()), addresses, since);
            }
            rspamdAnswered(logId, request, r, settings);
            return new EndpointResult.Body(body, format.contentType());
        });
    }

    private static void rspamdAnswered(String logId, RspamdRequest request, RspamdLookup.Resolved r,
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

    /** Runs the computation for a key once at a time: requests arriving meanwhile share its outcome. */
    private EndpointResult shared(ResponseCache.Key key, RequestSlots.Task<EndpointResult> compute)
            throws Exception {
        CompletableFuture<EndpointResult> mine = new CompletableFuture<>();
        CompletableFuture<EndpointResult> leader = flights.putIfAbsent(key, mine);
        if (leader != null) {
            try {
                return leader.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Exception ex) {
                    throw ex;
                }
                throw e;
            }
        }
        try {
            EndpointResult r = result(slots.run(requestTimeout, compute));
            mine.complete(r);
            return r;
        } catch (Exception | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            flights.remove(key, mine);
        }
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
                    format.contentType());
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
