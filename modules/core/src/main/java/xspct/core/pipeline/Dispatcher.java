package xspct.core.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import xspct.api.BackendEntry;
import xspct.api.BackendResult;
import xspct.api.LookupRequest;
import xspct.core.LogContext;

/**
 * Runs the configured queries for a batch of records (SPEC 4.1): consecutive independent queries in parallel,
 * folded in configuration order; a {@code use_result} query alone, after the queries before it, reading their
 * results. Stops at the first query that fails and returns its error body.
 */
final class Dispatcher {
    private static final System.Logger LOG = System.getLogger(Dispatcher.class.getName());
    static final String GENERIC_ERROR = "500 Internal Server Error";

    private final List<ConfiguredQuery> queries;
    private final QueryTimings timings;

    Dispatcher(List<ConfiguredQuery> queries, QueryTimings timings) {
        this.queries = List.copyOf(queries);
        this.timings = timings;
    }

    /**
     * Runs every query (or, in a wildcard pass, every wildcard query) for the records, into {@code answer}.
     *
     * @return the error body of the first failing query, if any
     */
    Optional<String> run(List<QueryRecord> records, Answer answer, boolean wildcardPass)
            throws InterruptedException {
        if (records.isEmpty()) {
            return Optional.empty();
        }
        List<ConfiguredQuery> phase = new ArrayList<>();
        for (ConfiguredQuery q : queries) {
            if (wildcardPass && !q.settings().wildcard()) {
                continue;
            }
            if (q.settings().useResult()) {
                Optional<String> err = runPhase(phase, records, answer);
                phase.clear();
                if (err.isPresent()) {
                    return err;
                }
                Outcome o = runChained(q, records, answer);
                answer.fold(o.answer);
                if (o.error != null) {
                    return Optional.of(o.error);
                }
            } else {
                phase.add(q);
            }
        }
        return runPhase(phase, records, answer);
    }

    private Optional<String> runPhase(List<ConfiguredQuery> phase, List<QueryRecord> records, Answer answer)
            throws InterruptedException {
        if (phase.isEmpty()) {
            return Optional.empty();
        }
        List<Outcome> outcomes = new ArrayList<>(phase.size());
        if (phase.size() == 1) {
            outcomes.add(runQuery(phase.get(0), records, plainRequests(records), new String[records.size()]));
        } else {
            try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<Outcome>> futures = new ArrayList<>(phase.size());
                for (ConfiguredQuery q : phase) {
                    futures.add(ex.submit(LogContext.propagate(() -> runQuery(q, records,
                            plainRequests(records), new String[records.size()]))));
                }
                for (Future<Outcome> f : futures) {
                    try {
                        outcomes.add(f.get());
                    } catch (ExecutionException e) {
                        outcomes.add(Outcome.failed(GENERIC_ERROR));
                    }
                }
            }
        }
        for (Outcome o : outcomes) {
            answer.fold(o.answer);
            if (o.error != null) {
                return Optional.of(o.error);
            }
        }
        return Optional.empty();
    }

    private static List<LookupRequest> plainRequests(List<QueryRecord> records) {
        List<LookupRequest> out = new ArrayList<>(records.size());
        for (QueryRecord r : records) {
            out.add(r.request());
        }
        return out;
    }

    /** A chained query: records whose earlier answer has the attribute search with its values (SPEC 4.2). */
    private Outcome runChained(ConfiguredQuery q, List<QueryRecord> records, Answer answer)
            throws InterruptedException {
        String attr = q.settings().resultObjectAttr();
        List<LookupRequest> requests = new ArrayList<>(records.size());
        String[] forced = new String[records.size()];
        for (int i = 0; i < records.size(); i++) {
            QueryRecord r = records.get(i);
            String pk = answer.u2p.get(r.address());
            Map<String, Object> user = pk == null ? null : answer.users.get(pk);
            Object value = user == null || attr.isEmpty() ? null : user.get(attr);
            List<String> values = new ArrayList<>();
            if (value instanceof List<?> l) {
                for (Object o : l) {
                    if (o != null) {
                        values.add(EntryTranslation.text(o));
                    }
                }
            } else if (value != null) {
                values.add(EntryTranslation.text(value));
            }
            if (values.isEmpty()) {
                requests.add(r.request());
                continue;
            }
            String first = values.get(0);
            int at = first.indexOf('@');
            String userpart = at < 0 ? first : first.substring(0, at);
            String domain = at < 0 ? r.request().domain() : first.substring(at + 1);
            requests.add(new LookupRequest(first, first, userpart, domain, values));
            forced[i] = pk;
        }
        return runQuery(q, records, requests, forced);
    }

    private Outcome runQuery(ConfiguredQuery q, List<QueryRecord> records, List<LookupRequest> requests,
                             String[] forcedPk) throws InterruptedException {
        long start = System.nanoTime();
        Answer a = new Answer();
        if (q.backend() == null) {
            timings.record(q.name(), System.nanoTime() - start);
            return new Outcome(a, null);
        }
        BackendResult result;
        try {
            result = q.backend().lookup(requests);
        } catch (InterruptedException e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "query " + q.name() + " failed: " + e);
            timings.record(q.name(), System.nanoTime() - start);
            timings.recordError(q.name());
            return Outcome.failed(GENERIC_ERROR);
        }
        timings.record(q.name(), System.nanoTime() - start);
        String error = result.error().orElse(null);
        if (error != null) {
            timings.recordError(q.name());
        }
        for (BackendEntry entry : result.entries()) {
            switch (entry) {
                case BackendEntry.Verbatim v -> a.mergeUser(v.key(), v.object());
                case BackendEntry.Found f -> {
                    String err = attribute(q, f, records, forcedPk, a);
                    if (err != null) {
                        return new Outcome(a, err);
                    }
                }
            }
        }
        return new Outcome(a, error);
    }

    private static String attribute(ConfiguredQuery q, BackendEntry.Found f, List<QueryRecord> records,
                                    String[] forcedPk, Answer a) {
        List<Integer> owners = f.owners();
        Integer first = owners.isEmpty() ? null : owners.get(0);
        String forced = first == null ? null : forcedPk[first];
        EntryTranslation.Translated t;
        try {
            t = EntryTranslation.translate(f.attributes(), q.settings(), forced);
        } catch (EntryTranslation.TranslationException e) {
            LOG.log(System.Logger.Level.ERROR, "query " + q.name() + ": " + e.getMessage());
            return translationError(q.settings().dbType());
        }
        String pk = t.pk();
        boolean fallback = false;
        if (pk == null) {
            if (first == null) {
                LOG.log(System.Logger.Level.WARNING, "query " + q.name() + ": entry without "
                        + q.settings().primaryKey() + " answers no address; dropped");
                return null;
            }
            pk = records.get(first).address();
            fallback = true;
            LOG.log(System.Logger.Level.WARNING, "query " + q.name() + ": entry has no "
                    + q.settings().primaryKey() + "; using the address " + pk + " as primary key");
        }
        if (first != null) {
            String addr = records.get(first).address();
            if (fallback) {
                a.u2p.putIfAbsent(addr, pk);
            } else {
                a.u2p.put(addr, pk);
            }
            for (int i = 1; i < owners.size(); i++) {
                a.u2p.putIfAbsent(records.get(owners.get(i)).address(), pk);
            }
        }
        a.mergeUser(pk, t.user());
        return null;
    }

    private static String translationError(String dbType) {
        return switch (dbType) {
            case "ldap" -> "500 LDAP query error";
            case "mysql" -> "500 MySQL query error";
            case "yaml" -> "500 YAML processing error";
            default -> "500 invalid query config";
        };
    }

    private record Outcome(Answer answer, String error) {
        static Outcome failed(String error) {
            return new Outcome(new Answer(), error);
        }
    }
}
