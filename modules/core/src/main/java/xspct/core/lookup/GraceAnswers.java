package xspct.core.lookup;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import xspct.core.stats.Counters;
import xspct.api.CacheLookup;
import xspct.api.GraceEntries;

/**
 * Stale-if-error ({@code xspct_db_local_cache.grace}): when the configured queries fail for a lookup, the cache
 * entries past their lifetime but within the grace period answer it, provided they cover every address of the
 * lookup (a partly stale answer would call the others unknown). Such an answer is not cached again, is counted in
 * {@code local_cache_grace_hits} and is logged at most once a minute.
 */
final class GraceAnswers implements AnswerSource {
    private static final System.Logger LOG = System.getLogger(GraceAnswers.class.getName());
    private static final long LOG_INTERVAL_NANOS = 60_000_000_000L;

    private final AnswerSource backends;
    private final List<GraceEntries> tiers;
    private final Counters counters;
    private final LongSupplier nanoTime;
    private final AtomicLong lastLog = new AtomicLong();
    private final AtomicLong unlogged = new AtomicLong();

    private GraceAnswers(AnswerSource backends, List<GraceEntries> tiers, Counters counters, LongSupplier nanoTime) {
        this.backends = backends;
        this.tiers = tiers;
        this.counters = counters;
        this.nanoTime = nanoTime;
        this.lastLog.set(nanoTime.getAsLong() - LOG_INTERVAL_NANOS);
    }

    /**
     * The backends, with the grace entries of the tiers that keep them behind.
     *
     * @param backends the configured queries
     * @param caches   the cache tiers; those offering {@link GraceEntries} are used, in level order
     * @param counters counts {@code local_cache_grace_hits}
     * @return the source; the backends themselves when no tier keeps grace entries
     */
    static AnswerSource of(AnswerSource backends, CacheTiers caches, Counters counters) {
        List<GraceEntries> tiers = caches.tiers().stream().map(CacheTiers.Tier::tier)
                .filter(t -> t instanceof GraceEntries).map(t -> (GraceEntries) t).toList();
        return tiers.isEmpty() ? backends : new GraceAnswers(backends, tiers, counters, System::nanoTime);
    }

    @Override
    public Optional<String> run(List<QueryRecord> records, Answer answer, boolean wildcardPass)
            throws InterruptedException {
        Answer attempt = new Answer();
        Optional<String> err = backends.run(records, attempt, wildcardPass);
        if (err.isEmpty()) {
            answer.fold(attempt);
            return err;
        }
        Answer stale = new Answer();
        for (QueryRecord r : records) {
            CacheLookup hit = stale(r.address());
            if (hit instanceof CacheLookup.Positive p) {
                stale.records.put(p.primaryKey(), p.user());
                stale.keys.put(r.address(), p.primaryKey());
            } else if (!(hit instanceof CacheLookup.Negative)) {
                return err; // not every address is covered: the error stands
            }
        }
        stale.stale = true;
        answer.fold(stale);
        counters.inc(Counters.Name.LOCAL_CACHE_GRACE_HITS);
        report(err.get(), records.size());
        return Optional.empty();
    }

    private CacheLookup stale(String address) {
        for (GraceEntries t : tiers) {
            CacheLookup r = t.stale(address);
            if (!(r instanceof CacheLookup.Miss)) {
                return r;
            }
        }
        return CacheLookup.MISS;
    }

    private void report(String error, int addresses) {
        long now = nanoTime.getAsLong();
        long last = lastLog.get();
        unlogged.addAndGet(addresses);
        if (now - last >= LOG_INTERVAL_NANOS && lastLog.compareAndSet(last, now)) {
            LOG.log(System.Logger.Level.WARNING, "backends failed (" + error + "); " + unlogged.getAndSet(0)
                    + " addresses answered from L1 entries past their lifetime (grace) in the last minute");
        }
    }
}
