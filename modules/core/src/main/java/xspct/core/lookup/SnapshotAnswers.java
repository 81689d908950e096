package xspct.core.lookup;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import xspct.core.stats.Counters;
import xspct.api.SnapshotReader;
import xspct.api.SnapshotSubscription;
import xspct.core.codec.JsonCodec;

/**
 * An edge's snapshot as an answer source. In {@code primary} mode it is the only source; in {@code fallback} mode
 * the configured queries answer and the snapshot answers a lookup only when they fail for it. Either way the whole
 * batch is answered from one version (a lease held for the call), the answer is marked with that version so that
 * it is never cached and carries {@code X-Xspct-Source}. The wildcard pass answers a key with the wildcard entry of
 * its domain (the key without its leading {@code @}); in primary mode the snapshot also gives an address the key
 * {@code @domain} when its domain has a wildcard entry, since the edge has no wildcard queries of its own.
 */
final class SnapshotAnswers implements AnswerSource {
    private static final System.Logger LOG = System.getLogger(SnapshotAnswers.class.getName());
    static final String NO_SNAPSHOT = "500 no usable snapshot";

    private final SnapshotSubscription subscription;
    private final AnswerSource backends;
    private final Counters counters;

    private SnapshotAnswers(SnapshotSubscription subscription, AnswerSource backends, Counters counters) {
        this.subscription = subscription;
        this.backends = backends;
        this.counters = counters;
    }

    /**
     * The answer source of a pipeline.
     *
     * @param backends     the configured queries
     * @param subscription the edge's subscription, or empty on an instance that subscribes to none
     * @param counters     counts {@code snapshot_answers}
     * @return the source
     */
    static AnswerSource of(AnswerSource backends, Optional<SnapshotSubscription> subscription, Counters counters) {
        return subscription.<AnswerSource>map(s -> new SnapshotAnswers(s, backends, counters)).orElse(backends);
    }

    @Override
    public Optional<String> run(List<QueryRecord> records, Answer answer, boolean wildcardPass)
            throws InterruptedException {
        if (subscription.primary()) {
            return fromSnapshot(records, answer, wildcardPass);
        }
        Answer attempt = new Answer();
        Optional<String> err = backends.run(records, attempt, wildcardPass);
        if (err.isEmpty()) {
            answer.fold(attempt);
            return err;
        }
        Optional<String> fallback = fromSnapshot(records, answer, wildcardPass);
        if (fallback.isEmpty()) {
            LOG.log(System.Logger.Level.DEBUG, () -> "backends failed (" + err.get() + "); answered from snapshot "
                    + answer.snapshot);
            return fallback;
        }
        return err; // no usable snapshot: the backends' error stands
    }

    private Optional<String> fromSnapshot(List<QueryRecord> records, Answer answer, boolean wildcardPass) {
        Optional<SnapshotReader> lease = subscription.acquire();
        if (lease.isEmpty()) {
            return Optional.of(NO_SNAPSHOT);
        }
        counters.inc(Counters.Name.SNAPSHOT_ANSWERS);
        try (SnapshotReader r = lease.get()) {
            answer.snapshot = r.version();
            for (QueryRecord rec : records) {
                String a = rec.address();
                if (wildcardPass) {
                    r.wildcard(rec.request().domain()).ifPresent(e -> {
                        answer.records.put(e.primaryKey(), decode(e));
                        answer.keys.put(a, e.primaryKey());
                    });
                    continue;
                }
                r.address(a).ifPresent(e -> {
                    answer.records.put(e.primaryKey(), decode(e));
                    answer.keys.put(a, e.primaryKey());
                });
            }
        }
        return Optional.empty();
    }

    /** {@return true when the snapshot is the only source} */
    boolean primary() {
        return subscription.primary();
    }

    /**
     * In primary mode, the wildcard key of an address whose domain has a wildcard entry in the snapshot:
     * {@code @domain}, which the wildcard pass answers by the domain.
     */
    @Override
    public Optional<List<String>> wildcardKeys(String canonical) {
        if (!subscription.primary()) {
            return Optional.empty();
        }
        int at = canonical.indexOf('@');
        Optional<SnapshotReader> lease = subscription.acquire();
        if (lease.isEmpty() || at < 0) {
            lease.ifPresent(SnapshotReader::close);
            return Optional.of(List.of());
        }
        String domain = canonical.substring(at + 1);
        try (SnapshotReader r = lease.get()) {
            return Optional.of(r.wildcard(domain).isPresent() ? List.of("@" + domain) : List.of());
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> decode(SnapshotReader.Entry e) {
        return (Map<String, Object>) JsonCodec.read(e.json().getBytes(StandardCharsets.UTF_8));
    }
}
