package xspct.core.lookup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static xspct.core.lookup.TestService.user;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import xspct.api.AddressEnumeration;
import xspct.api.Backend;
import xspct.api.BackendEntry;
import xspct.api.BackendProvider;
import xspct.api.BackendResult;
import xspct.api.CacheTierProvider;
import xspct.api.LookupRequest;
import xspct.api.QueryContext;
import xspct.api.SnapshotContext;
import xspct.api.SnapshotProvider;
import xspct.api.SnapshotPublisher;
import xspct.api.SnapshotSubscription;
import xspct.core.XspctService;
import xspct.core.codec.BodyFormat;
import xspct.core.config.ConfigFile;
import xspct.core.config.Settings;
import xspct.core.EndpointResult;
import xspct.core.plugin.PluginRegistry;
import xspct.core.RspamdRequest;
import xspct.core.testing.MemorySnapshot;
import xspct.core.testing.MemoryTier;

/**
 * Snapshot content built from a central's queries, and an edge answering from it in primary and fallback mode:
 * the same bytes as the central, never cached, marked with their source.
 */
class SnapshotPipelineTest {
    private static final Map<String, Map<String, Object>> DATA = new LinkedHashMap<>();

    static {
        DATA.put("alice@ex.de", user("mail", "alice@ex.de", "aliases", List.of("a@ex.de"), "uid", 1000,
                "userPassword", "{SSHA}x", "greylisting", List.of("FALSE"), "reject_level", List.of("5")));
        DATA.put("bob@ex.de", user("mail", "bob@ex.de", "greylisting", List.of("TRUE")));
        DATA.put("@ex.de", user("mail", "@ex.de", "catchall", "yes"));
    }

    private static final String CENTRAL = """
            xspct_db_api_key: k
            xspct_db_queries:
              users:
                db_type: enum
              domains:
                db_type: enum
                wildcard_domain_query: true
              opaque:
                db_type: opaque
            """;

    /** A map backend that can list its keys and aliases, and can be made to fail. */
    static final class EnumerableProvider implements BackendProvider {
        final String type;
        final boolean enumerable;
        final AtomicBoolean failing = new AtomicBoolean();
        final List<List<LookupRequest>> calls = new java.util.concurrent.CopyOnWriteArrayList<>();

        EnumerableProvider(String type, boolean enumerable) {
            this.type = type;
            this.enumerable = enumerable;
        }

        @Override
        public String dbType() {
            return type;
        }

        @Override
        public Backend create(QueryContext context) {
            Function lookup = requests -> {
                calls.add(requests);
                if (failing.get()) {
                    return BackendResult.failed("500 LDAP connection error");
                }
                List<BackendEntry> out = new ArrayList<>();
                for (int i = 0; i < requests.size(); i++) {
                    for (Map.Entry<String, Map<String, Object>> e : DATA.entrySet()) {
                        String v = requests.get(i).address();
                        if (e.getKey().equals(v) || e.getValue().get("aliases") instanceof List<?> l && l.contains(v)) {
                            out.add(new BackendEntry.Found(e.getValue(), List.of(i)));
                        }
                    }
                }
                return BackendResult.of(out);
            };
            if (!enumerable) {
                return lookup::apply;
            }
            return new Enumerating(lookup);
        }

        interface Function {
            BackendResult apply(List<LookupRequest> requests);
        }

        record Enumerating(Function fn) implements Backend, AddressEnumeration {
            @Override
            public BackendResult lookup(List<LookupRequest> requests) {
                return fn.apply(requests);
            }

            @Override
            public void enumerate(Consumer<String> addresses) {
                DATA.forEach((k, v) -> {
                    if (!k.startsWith("@")) {
                        addresses.accept(k);
                    }
                    if (v.get("aliases") instanceof List<?> l) {
                        l.forEach(a -> addresses.accept((String) a));
                    }
                });
            }
        }
    }

    /** Hands the edge's service an in-memory subscription. */
    record Provider(SnapshotSubscription subscription) implements SnapshotProvider {
        @Override
        public String name() {
            return "memory";
        }

        @Override
        public java.util.Optional<SnapshotPublisher> publisher(SnapshotContext context) {
            return java.util.Optional.empty();
        }

        @Override
        public java.util.Optional<SnapshotSubscription> subscription(SnapshotContext context) {
            return java.util.Optional.of(subscription);
        }
    }

    private static XspctService service(String yaml, List<BackendProvider> backends, List<CacheTierProvider> tiers,
                                        SnapshotSubscription edge) {
        Map<String, BackendProvider> byType = new HashMap<>();
        backends.forEach(b -> byType.put(b.dbType(), b));
        List<SnapshotProvider> snapshots = edge == null ? List.of() : List.of(new Provider(edge));
        return XspctService.create(Settings.read(ConfigFile.parse("test.yml", yaml)),
                new PluginRegistry(List.of(), byType, tiers, List.of(), snapshots));
    }

    private static MemorySnapshot build(boolean primary, Set<String> exclude) throws Exception {
        MemorySnapshot snapshot = new MemorySnapshot(primary);
        try (XspctService central = service(CENTRAL, List.of(new EnumerableProvider("enum", true),
                new EnumerableProvider("opaque", false)), List.of(), null)) {
            var d = central.snapshotContent().write(exclude, snapshot);
            assertEquals("queries [users, domains], left out [opaque]" + (exclude.isEmpty() ? ""
                    : ", excluded attributes " + new java.util.TreeSet<>(exclude)), d.filter());
        }
        return snapshot;
    }

    /** The digest of the configuration that a build of {@code config} writes into its snapshot. */
    private static String fingerprint(String config) throws Exception {
        try (XspctService central = service(config, List.of(new EnumerableProvider("enum", true),
                new EnumerableProvider("opaque", false)), List.of(), null)) {
            return central.snapshotContent().write(Set.of(), new MemorySnapshot(true)).configFingerprint();
        }
    }

    private static byte[] body(EndpointResult r) {
        return assertInstanceOf(EndpointResult.Body.class, r).body();
    }

    private static String source(EndpointResult r) {
        return assertInstanceOf(EndpointResult.Body.class, r).source();
    }

    @Test
    void theBuildHoldsEveryEnumeratedAddressAndTheWildcardOfItsDomains() throws Exception {
        MemorySnapshot s = build(true, Set.of("userPassword"));
        assertEquals(Map.of("alice@ex.de", "alice@ex.de", "a@ex.de", "alice@ex.de", "bob@ex.de", "bob@ex.de"),
                s.addresses);
        assertEquals(Map.of("ex.de", List.of("@ex.de", "@ex.de")), s.wildcards);
        assertEquals(Set.of("alice@ex.de", "bob@ex.de", "@ex.de"), s.users.keySet());
        assertFalse(s.users.get("alice@ex.de").contains("userPassword"), s.users.get("alice@ex.de"));
        assertTrue(s.users.get("alice@ex.de").contains("\"uid\": [\"1000\"]"), s.users.get("alice@ex.de"));
    }

    @Test
    void theFingerprintDigestsWhatShapesAnswersWithoutPasswords() throws Exception {
        String central = fingerprint(CENTRAL);
        assertTrue(central.matches("[0-9a-f]{64}"), central);
        String withPassword = CENTRAL.replace("    db_type: opaque\n", "    db_type: opaque\n    password: secret\n");
        assertNotEquals(CENTRAL, withPassword);
        assertEquals(central, fingerprint(withPassword));
        assertEquals(central, fingerprint("xspct_db_log_level: 10\n" + CENTRAL)); // a section that shapes no answer
        assertNotEquals(central, fingerprint(CENTRAL.replace("wildcard_domain_query: true",
                "wildcard_domain_query: false")));
    }

    @Test
    void aPrimaryEdgeAnswersEveryEndpointByteForByteAsTheCentral() throws Exception {
        MemorySnapshot snapshot = build(true, Set.of());
        var backend = new EnumerableProvider("enum", true);
        try (XspctService central = service(CENTRAL, List.of(backend, new EnumerableProvider("opaque", false)),
                List.of(), null);
             XspctService edge = service("xspct_db_api_key: k\n", List.of(), List.of(), snapshot)) {
            for (String a : List.of("alice@ex.de", "a@ex.de", "bob@ex.de", "nobody@ex.de", "x@elsewhere.org")) {
                EndpointResult c = central.endpoints().get(a, 5, BodyFormat.JSON);
                EndpointResult e = edge.endpoints().get(a, 5, BodyFormat.JSON);
                assertArrayEquals(body(c), body(e), a + ": " + new String(body(e)));
                assertEquals("snapshot/20261201T120000000Z", source(e));
                assertEquals("", source(c));
            }
            List<String> batch = List.of("a@ex.de", "bob@ex.de", "nobody@ex.de", "x@elsewhere.org", "a@ex.de");
            assertArrayEquals(body(central.endpoints().queryJson(batch, BodyFormat.JSON)),
                    body(edge.endpoints().queryJson(batch, BodyFormat.JSON)));
            RspamdRequest r = new RspamdRequest("uid", "bob@ex.de", List.of("a@ex.de", "nobody@ex.de"), null, null,
                    null, null, null);
            EndpointResult er = edge.endpoints().rspamdSettings(r, BodyFormat.JSON, "1");
            assertEquals(new String(body(central.endpoints().rspamdSettings(r, BodyFormat.JSON, "1"))),
                    new String(body(er)));
            assertEquals("snapshot/20261201T120000000Z", source(er));
            edge.endpoints().rspamdSettings(r, BodyFormat.JSON, "2");
            assertEquals(0, edge.statistics().count(xspct.core.stats.Counters.Name.RESPONSE_CACHE_HITS),
                    "snapshot answers are not response-cached");
        }
    }

    @Test
    void aPrimaryEdgeWithoutAUsableSnapshotFails() throws Exception {
        MemorySnapshot snapshot = build(true, Set.of());
        snapshot.usable = false;
        try (XspctService edge = service("xspct_db_api_key: k\n", List.of(), List.of(), snapshot)) {
            assertEquals(new EndpointResult.Failure(SnapshotAnswers.NO_SNAPSHOT),
                    edge.endpoints().get("alice@ex.de", 5, BodyFormat.JSON));
        }
    }

    @Test
    void aFallbackEdgeAnswersFromTheSnapshotOnlyWhileTheBackendsFailAndCachesNothingOfIt() throws Exception {
        MemorySnapshot snapshot = build(false, Set.of());
        var backend = new EnumerableProvider("enum", true);
        MemoryTier l1 = new MemoryTier();
        try (XspctService edge = service(CENTRAL.replace("  opaque:\n    db_type: opaque\n", ""), List.of(backend),
                List.of(l1.provider()), snapshot)) {
            backend.failing.set(true);
            EndpointResult down = edge.endpoints().get("a@ex.de", 5, BodyFormat.JSON);
            assertEquals("snapshot/20261201T120000000Z", source(down));
            assertTrue(new String(body(down)).startsWith("{\"users\": {\"alice@ex.de\": "), new String(body(down)));
            EndpointResult wildcard = edge.endpoints().get("new@ex.de", 5, BodyFormat.JSON);
            assertTrue(new String(body(wildcard)).startsWith("{\"users\": {\"new@ex.de\": {\"mail\": [\"@ex.de\"]"),
                    new String(body(wildcard)));
            assertEquals(0, l1.stores.get(), "nothing of a snapshot answer is cached");
            assertTrue(l1.negative.isEmpty());

            backend.failing.set(false);
            EndpointResult up = edge.endpoints().get("a@ex.de", 5, BodyFormat.JSON);
            assertEquals("", source(up));
            assertArrayEquals(body(down), body(up));
            assertEquals(1, l1.stores.get(), "the backends' answer is cached again");

            snapshot.usable = false;
            backend.failing.set(true);
            assertEquals(new EndpointResult.Failure("500 LDAP connection error"),
                    edge.endpoints().get("bob@ex.de", 5, BodyFormat.JSON), "without a snapshot the error stands");
        }
    }
}
