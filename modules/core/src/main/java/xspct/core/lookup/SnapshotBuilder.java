package xspct.core.lookup;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import xspct.api.AddressEnumeration;
import xspct.api.SnapshotContent;
import xspct.api.SnapshotSink;
import xspct.core.codec.JsonCodec;

/**
 * The content of a snapshot: every address the enumerable queries list, resolved in batches by the configured
 * queries exactly as a lookup resolves it (merge, {@code use_result} chains, translation), with every cache
 * bypassed; then the wildcard entry of each domain seen. Attributes to exclude are removed before a user object is
 * encoded, so they never reach the file.
 */
public final class SnapshotBuilder implements SnapshotContent {
    private static final System.Logger LOG = System.getLogger(SnapshotBuilder.class.getName());
    /** Addresses per dispatcher run: one backend call per query and batch. */
    static final int BATCH = 500;

    private final Resolver pipeline;
    private final List<ConfiguredQuery> queries;
    /** The configuration sections that shape answers, digested when a snapshot is written. */
    private final Map<String, Object> configuration;

    /**
     * Creates the builder.
     *
     * @param pipeline      the resolver whose queries and wildcard keys are used
     * @param queries       the configured queries
     * @param configuration the raw configuration sections that shape answers, by key (see {@link #fingerprint});
     *                      digested only when a snapshot is written: a JVM's first digest initialises its security
     *                      providers, tens of milliseconds of the start of every server that never writes one
     */
    public SnapshotBuilder(Resolver pipeline, List<ConfiguredQuery> queries, Map<String, Object> configuration) {
        this.pipeline = pipeline;
        this.queries = List.copyOf(queries);
        this.configuration = configuration;
    }

    /**
     * A digest of the parts of the configuration that shape answers (the queries, key translation and value
     * split), with passwords left out.
     *
     * @param sections the raw configuration sections, by key
     * @return SHA-256, hexadecimal
     */
    public static String fingerprint(Map<String, Object> sections) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(JsonCodec.write(withoutSecrets(new TreeMap<>(sections))));
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object withoutSecrets(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> {
                String key = String.valueOf(k);
                if (!key.contains("password") && !key.endsWith("_pw")) {
                    out.put(key, withoutSecrets(x));
                }
            });
            return out;
        }
        if (v instanceof List<?> l) {
            return l.stream().map(SnapshotBuilder::withoutSecrets).toList();
        }
        return v;
    }

    @Override
    public Description write(Set<String> excludeAttributes, SnapshotSink sink) throws Exception {
        List<String> listed = new ArrayList<>();
        List<String> left = new ArrayList<>();
        Set<String> addresses = new LinkedHashSet<>();
        for (ConfiguredQuery q : queries) {
            if (q.settings().useResult()) {
                continue; // a chained query answers through the addresses of the queries before it
            }
            if (q.backend() instanceof AddressEnumeration e && e.canEnumerate()) {
                e.enumerate(addresses::add);
                listed.add(q.name());
            } else {
                left.add(q.name());
            }
        }
        if (!left.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "snapshot: queries " + left + " cannot list their addresses "
                    + "(their backend has no listing, or its listing is not configured: see docs/snapshots.md); "
                    + "their addresses are left out");
        }
        Writer w = new Writer(sink, excludeAttributes);
        List<String> batch = new ArrayList<>(BATCH);
        Map<String, String> domains = new LinkedHashMap<>();
        for (String a : addresses) {
            int at = a.indexOf('@');
            if (at > 0) {
                domains.putIfAbsent(a.substring(at + 1), a);
            }
            batch.add(a);
            if (batch.size() == BATCH) {
                w.addresses(batch);
                batch.clear();
            }
        }
        w.addresses(batch);
        w.wildcards(domains);
        return new Description(fingerprint(configuration), "queries " + listed
                + (left.isEmpty() ? "" : ", left out " + left)
                + (excludeAttributes.isEmpty() ? "" : ", excluded attributes " + new TreeSet<>(excludeAttributes)));
    }

    /** Resolves batches and writes what they found. */
    private final class Writer {
        private final SnapshotSink sink;
        private final Set<String> exclude;
        private final Set<String> written = new HashSet<>();

        Writer(SnapshotSink sink, Set<String> exclude) {
            this.sink = sink;
            this.exclude = exclude;
        }

        /** The final answers of a batch, resolved as query-json resolves it, every cache bypassed. */
        void addresses(List<String> batch) throws InterruptedException {
            if (batch.isEmpty()) {
                return;
            }
            CanonicalAddresses admitted = pipeline.canonicalise(batch);
            Resolution r = pipeline.resolve(admitted, ResolutionPolicy.BATCH.bypassingCaches());
            r.failure().ifPresent(f -> {
                throw new IllegalStateException("a backend failed while building the snapshot: " + f.body());
            });
            for (String o : admitted.originals()) {
                if (r.wildcard().containsKey(o)) {
                    continue; // answered by its domain's wildcard entry, written below
                }
                String c = admitted.canonical(o);
                String pk = r.keys().get(o) != null ? r.keys().get(o) : r.keys().get(c);
                if (pk != null && r.records().contains(pk)) {
                    user(pk, r.records().get(pk));
                    sink.address(o, pk);
                    if (!c.equals(o)) {
                        sink.address(c, pk); // an edge looks up the address after its own rewrite rules
                    }
                }
            }
        }

        /** The wildcard entry of every domain seen, in batches of domains: the first key that resolves wins. */
        void wildcards(Map<String, String> domains) throws InterruptedException {
            WildcardFallback fallback = pipeline.wildcardOfBackends();
            List<String> all = new ArrayList<>(domains.keySet());
            for (int i = 0; i < all.size(); i += BATCH) {
                Map<String, String> chunk = new LinkedHashMap<>();
                for (String d : all.subList(i, Math.min(all.size(), i + BATCH))) {
                    chunk.put(d, domains.get(d)); // keyed by domain: the fallback answers per key of this map
                }
                switch (fallback.resolve(chunk, false, false)) {
                    case WildcardFallback.Failed f -> throw new IllegalStateException(
                            "a wildcard backend failed while building the snapshot: " + f.error());
                    case WildcardFallback.Result r -> r.primaryKeys().forEach((domain, pk) -> {
                        user(pk, r.records().get(pk));
                        List<String> keys = fallback.keysFor(domains.get(domain));
                        sink.wildcard(domain, keys.isEmpty() ? "@" + domain : keys.getFirst(), pk);
                    });
                }
            }
        }

        private void user(String pk, Map<String, Object> user) {
            if (!written.add(pk)) {
                return;
            }
            Map<String, Object> kept = user;
            if (!exclude.isEmpty()) {
                kept = new LinkedHashMap<>(user);
                kept.keySet().removeAll(exclude);
            }
            sink.user(pk, new String(JsonCodec.write(kept), StandardCharsets.UTF_8));
        }
    }
}
