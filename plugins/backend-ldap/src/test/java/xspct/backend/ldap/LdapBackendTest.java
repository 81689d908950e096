package xspct.backend.ldap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import xspct.api.testing.CapturedLog;
import xspct.api.Backend;
import xspct.api.BackendEntry;
import xspct.api.BackendResult;
import xspct.api.LookupRequest;
import xspct.api.QueryContext;
import xspct.api.ResourceGauges;
import xspct.core.config.ConfigFile;
import xspct.core.config.YamlNode;

class LdapBackendTest {
    private static final String PEOPLE = """
            db_type: ldap
            server: %URL%
            bind_dn: cn=svc,dc=ex,dc=de
            bind_dn_pw: s3cret-pw
            base_dn: dc=ex,dc=de
            search_filter: "(|(mail=%s)(mailAlternateAddress=%s))"
            search_filter_replace: {"%s": address}
            connect_timeout: 1
            query_timeout: 2
            """;

    private final List<AutoCloseable> closing = new ArrayList<>();
    private TestDirectory dir;

    @BeforeEach
    void startDirectory() throws Exception {
        dir = TestDirectory.create(TestDirectory.Tls.NONE, null).start();
        closing.add(dir);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    // ------------------------------------------------------------------ helpers

    record Created(Backend backend, List<String> problems) {
    }

    private Created create(String section) {
        StringBuilder yaml = new StringBuilder("xspct_db_queries:\n  q:\n");
        section.lines().forEach(l -> yaml.append("    ").append(l).append('\n'));
        YamlNode root = ConfigFile.parse("test", yaml.toString());
        Backend b = new LdapBackendProvider().create(new QueryContext("q", root.get("xspct_db_queries").get("q"),
                root));
        closing.add(b);
        return new Created(b, ConfigFile.problemsOf(root).list());
    }

    private Backend backend(String section) {
        Created c = create(section);
        assertEquals(List.of(), c.problems());
        return c.backend();
    }

    private String people() {
        return PEOPLE.replace("%URL%", dir.url());
    }

    private static List<LookupRequest> batch(String... addresses) {
        return java.util.Arrays.stream(addresses).map(LookupRequest::forAddress).toList();
    }

    /** What the core's dispatcher builds for a chained query . */
    private static LookupRequest chained(String address, String... values) {
        String first = values[0];
        int at = first.indexOf('@');
        String domain = at < 0 ? LookupRequest.forAddress(address).domain() : first.substring(at + 1);
        return new LookupRequest(first, first, at < 0 ? first : first.substring(0, at), domain, List.of(values));
    }

    private static List<BackendEntry.Found> found(BackendResult r) {
        assertEquals(Optional.empty(), r.error());
        return r.entries().stream().map(BackendEntry.Found.class::cast).toList();
    }

    @SuppressWarnings("unchecked")
    private static String first(BackendEntry.Found f, String attr) {
        return String.valueOf(((List<Object>) f.attributes().get(attr)).get(0));
    }

    /** Owner index to the {@code uid} of the entry attributed to it. */
    private static Map<Integer, String> owners(List<BackendEntry.Found> entries) {
        Map<Integer, String> out = new java.util.TreeMap<>();
        for (BackendEntry.Found f : entries) {
            for (Integer o : f.owners()) {
                out.put(o, first(f, f.attributes().containsKey("uid") ? "uid" : "associatedDomain"));
            }
        }
        return out;
    }

    private static BackendResult lookupUntil(Backend b, List<LookupRequest> batch,
                                             java.util.function.Predicate<BackendResult> done) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        BackendResult r;
        do {
            r = b.lookup(batch);
            if (done.test(r)) {
                return r;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        return r;
    }

    // ------------------------------------------------------------------ lookups

    @Test
    void oneSearchPerBatchAndEveryAddressAttributed() throws Exception {
        Backend b = backend(people());
        BackendResult r = b.lookup(batch("alice@ex.de", "bob@ex.de", "nobody@ex.de", "carol@other.de"));
        assertEquals(1, dir.searches.size(), "one search for the whole batch: " + dir.searches);
        assertEquals(Map.of(0, "alice", 1, "bob", 3, "carol"), owners(found(r)));
        BackendEntry.Found alice = found(r).get(0);
        assertEquals(List.of("uid=alice,ou=people,dc=ex,dc=de"), alice.attributes().get("dn"));
        assertEquals("dn", alice.attributes().keySet().iterator().next());
    }

    @Test
    void aliasAndPrimaryInOneBatchBothResolveToTheRowAndCaseDoesNotMatter() throws Exception {
        Backend b = backend(people());
        BackendResult r = b.lookup(batch("ALIAS@EX.DE", "Alice@Ex.De"));
        assertEquals(1, dir.searches.size());
        List<BackendEntry.Found> f = found(r);
        assertEquals(Map.of(0, "alice", 1, "alice"), owners(f));
    }

    @Test
    void chainedRowsGoToEveryRequestWithTheValue() throws Exception {
        Backend b = backend(people().replace("(|(mail=%s)(mailAlternateAddress=%s))", "associatedDomain=%s"));
        BackendResult r = b.lookup(List.of(chained("alice@ex.de", "ex.de"), chained("bob@ex.de", "ex.de"),
                chained("carol@other.de", "other.de")));
        assertEquals(1, dir.searches.size());
        assertEquals(2, dir.searches.get(0).split("associatedDomain", -1).length - 1,
                "identical filters are sent once: " + dir.searches);
        assertEquals(Map.of(0, "ex.de", 1, "ex.de", 2, "other.de"), owners(found(r)));
    }

    @Test
    void everyChainedValueIsSearched() throws Exception {
        Backend b = backend(people());
        BackendResult r = b.lookup(List.of(chained("x@y.z", "bob@ex.de", "carol@other.de")));
        List<BackendEntry.Found> f = found(r);
        assertEquals(2, f.size());
        assertTrue(f.stream().allMatch(e -> e.owners().equals(List.of(0))));
    }

    @Test
    void addressesCannotWidenTheSearch() throws Exception {
        Backend b = backend(people());
        for (String evil : List.of("*)(uid=*", "*", "*@ex.de", "alice@ex.de)(mail=*", "\\2a", "x)(|(uid=*")) {
            BackendResult r = b.lookup(batch(evil));
            List<BackendEntry.Found> f = found(r);
            if (evil.equals("*@ex.de")) {
                // only the entry whose mail literally is "*@ex.de"
                assertEquals(List.of("star"), f.stream().map(e -> first(e, "uid")).toList());
            } else {
                assertEquals(List.of(), f, "'" + evil + "' must match nothing");
            }
        }
        assertEquals("(|(mail=\\2a\\29\\28uid=\\2a)(mailAlternateAddress=\\2a\\29\\28uid=\\2a))",
                dir.searches.get(0));
    }

    @Test
    void substitutionIsSinglePass() throws Exception {
        // the address contains the other placeholder: it must not be expanded again
        Backend b = backend(people().replace("(|(mail=%s)(mailAlternateAddress=%s))", "(|(mail=%s)(uid=%u))")
                .replace("{\"%s\": address}", "{\"%s\": address, \"%u\": userpart}"));
        BackendResult r = b.lookup(batch("x%u@ex.de"));
        assertEquals(List.of(), found(r));
        assertEquals("(|(mail=x%u@ex.de)(uid=x%u))", dir.searches.get(0));
    }

    @Test
    void filterWithoutParenthesesIsWrappedForTheBatch() throws Exception {
        Backend b = backend(people().replace("(|(mail=%s)(mailAlternateAddress=%s))", "mail=%s"));
        BackendResult r = b.lookup(batch("alice@ex.de", "bob@ex.de"));
        assertEquals(Map.of(0, "alice", 1, "bob"), owners(found(r)));
        assertEquals("(|(mail=alice@ex.de)(mail=bob@ex.de))", dir.searches.get(0));
    }

    @Test
    void restrictedAttrListStillReturnsTheSearchedAttributes() throws Exception {
        Backend b = backend(people() + "attr_list: [cn]\n");
        BackendResult r = b.lookup(batch("alias@ex.de"));
        List<BackendEntry.Found> f = found(r);
        assertEquals(1, f.size());
        assertEquals(List.of(0), f.get(0).owners());
        assertTrue(f.get(0).attributes().containsKey("cn"));
        assertFalse(f.get(0).attributes().containsKey("sn"), "not requested: " + f.get(0).attributes());
    }

    @Test
    void searchErrorIsAQueryError() throws Exception {
        Backend b = backend(people().replace("base_dn: dc=ex,dc=de", "base_dn: ou=missing,dc=ex,dc=de"));
        BackendResult r = lookupUntil(b, batch("alice@ex.de"), x -> !x.error().equals(
                Optional.of(LdapBackend.CONNECTION_ERROR)));
        assertEquals(Optional.of("500 LDAP query error"), r.error());
    }

    // ------------------------------------------------------------------ configuration

    @Test
    void missingKeysAreNamed() {
        Created c = create("db_type: ldap\nsearch_filter_replace: {\"%s\": mailbox}\n");
        String all = String.join("\n", c.problems());
        for (String key : List.of("q.server", "q.bind_dn", "q.bind_dn_pw", "q.base_dn", "q.search_filter",
                "q.search_filter_replace.%s")) {
            assertTrue(all.contains(key), key + " not named in: " + all);
        }
    }

    @Test
    void badFilterAndPoolSizesAreReported() {
        Created c = create(people().replace("(|(mail=%s)(mailAlternateAddress=%s))", "(|(mail=%s)")
                .replace("query_timeout: 2", "query_timeout: -1") + "pool_minconn: 5\npool_maxconn: 2\n");
        String all = String.join("\n", c.problems());
        assertTrue(all.contains("q.search_filter") && all.contains("not a valid LDAP filter"), all);
        assertTrue(all.contains("q.pool_minconn"), all);
        assertTrue(all.contains("q.query_timeout"), all);
    }

    // ------------------------------------------------------------------ outages

    @Test
    void unreachableAtStartThenRecoversWhenTheDirectoryAppears() throws Exception {
        int port = TestDirectory.freePort();
        Backend b = backend(people().replace(dir.url(), "ldap://localhost:" + port));
        assertEquals(Optional.of("500 LDAP connection error"), b.lookup(batch("alice@ex.de")).error());
        TestDirectory late = TestDirectory.create(port, TestDirectory.Tls.NONE, null).start();
        closing.add(late);
        BackendResult r = lookupUntil(b, batch("alice@ex.de"), x -> x.error().isEmpty());
        assertEquals(Map.of(0, "alice"), owners(found(r)));
    }

    @Test
    void recoversAfterTheDirectoryRestarts() throws Exception {
        Backend b = backend(people());
        assertEquals(Map.of(0, "alice"), owners(found(b.lookup(batch("alice@ex.de")))));
        dir.stop();
        assertEquals(Optional.of("500 LDAP connection error"), b.lookup(batch("alice@ex.de")).error());
        dir.start();
        BackendResult r = lookupUntil(b, batch("bob@ex.de"), x -> x.error().isEmpty());
        assertEquals(Map.of(0, "bob"), owners(found(r)));
    }

    @Test
    void aHangingServerDoesNotHoldTheRequest() throws Exception {
        try (ServerSocket hang = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> accepted = new CopyOnWriteArrayList<>();
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        accepted.add(hang.accept()); // never answers
                    }
                } catch (IOException e) {
                    // closed
                }
            });
            Backend b = backend(people().replace(dir.url(), "ldap://localhost:" + hang.getLocalPort())
                    .replace("query_timeout: 2", "query_timeout: 1"));
            long start = System.nanoTime();
            BackendResult r = b.lookup(batch("alice@ex.de"));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(Optional.of("500 LDAP connection error"), r.error());
            assertTrue(millis < 8000, "took " + millis + " ms");
            for (Socket s : accepted) {
                s.close();
            }
            acceptor.interrupt();
        }
    }

    @Test
    void badCredentialsAreLoggedOnceClearlyWithoutThePassword() throws Exception {
        try (CapturedLog log = CapturedLog.of(LdapBackend.class)) {
            Backend b = backend(people().replace("bind_dn_pw: s3cret-pw", "bind_dn_pw: wrong-pw-123"));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!log.text().contains("invalid credentials") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            List<String> lines = log.text().lines().filter(l -> l.contains("invalid credentials")).toList();
            assertEquals(1, lines.size(), log.text());
            assertTrue(lines.get(0).contains("bind_dn 'cn=svc,dc=ex,dc=de'"), lines.get(0));
            assertEquals(Optional.of("500 LDAP connection error"), b.lookup(batch("alice@ex.de")).error());
            assertFalse(log.text().contains("wrong-pw-123"), log.text());
        }
    }

    // ------------------------------------------------------------------ TLS

    @TempDir
    Path tmp;

    private Backend tlsBackend(TestDirectory d, boolean ldaps, String extra) {
        String url = (ldaps ? "ldaps://localhost:" : "ldap://localhost:") + d.port;
        return backend(people().replace(dir.url(), url) + (ldaps ? "" : "use_tls: true\n") + extra);
    }

    @Test
    void startTlsWithTheCaDirectory() throws Exception {
        var cert = TestDirectory.Certificates.selfSigned(tmp, "localhost");
        TestDirectory d = TestDirectory.create(TestDirectory.Tls.START_TLS, cert).start();
        closing.add(d);
        Backend ok = tlsBackend(d, false, "ca_cert_dir: " + cert.caDir() + "\n");
        assertEquals(Map.of(0, "alice"), owners(found(lookupUntil(ok, batch("alice@ex.de"),
                x -> x.error().isEmpty()))));
        // not trusted by the JDK's trust store
        Backend untrusted = tlsBackend(d, false, "");
        assertEquals(Optional.of("500 LDAP connection error"), untrusted.lookup(batch("alice@ex.de")).error());
        Backend unverified = tlsBackend(d, false, "verify_certs: false\n");
        assertEquals(Map.of(0, "alice"), owners(found(unverified.lookup(batch("alice@ex.de")))));
    }

    @Test
    void ldapsVerifiesTheHostName() throws Exception {
        var wrongName = TestDirectory.Certificates.selfSigned(tmp, "wrong.example");
        TestDirectory d = TestDirectory.create(TestDirectory.Tls.LDAPS, wrongName).start();
        closing.add(d);
        // trusted CA, but the certificate names another host
        Backend b = tlsBackend(d, true, "ca_cert_dir: " + wrongName.caDir() + "\n");
        assertEquals(Optional.of("500 LDAP connection error"), b.lookup(batch("alice@ex.de")).error());
        Backend unverified = tlsBackend(d, true, "verify_certs: false\n");
        assertEquals(Map.of(0, "alice"), owners(found(unverified.lookup(batch("alice@ex.de")))));
    }

    @Test
    void startTlsVerifiesTheHostName() throws Exception {
        var wrongName = TestDirectory.Certificates.selfSigned(tmp, "wrong.example");
        TestDirectory d = TestDirectory.create(TestDirectory.Tls.START_TLS, wrongName).start();
        closing.add(d);
        Backend b = tlsBackend(d, false, "ca_cert_dir: " + wrongName.caDir() + "\n");
        assertEquals(Optional.of("500 LDAP connection error"), b.lookup(batch("alice@ex.de")).error());
    }

    @Test
    void ldapsWithTheCaDirectory() throws Exception {
        var cert = TestDirectory.Certificates.selfSigned(tmp, "localhost");
        TestDirectory d = TestDirectory.create(TestDirectory.Tls.LDAPS, cert).start();
        closing.add(d);
        Backend b = tlsBackend(d, true, "ca_cert_dir: " + cert.caDir() + "\n");
        assertEquals(Map.of(0, "bob"), owners(found(lookupUntil(b, batch("bob@ex.de"),
                x -> x.error().isEmpty()))));
    }

    @Test
    void gaugesDescribeThePool() throws Exception {
        Backend b = backend(people());
        found(b.lookup(batch("alice@ex.de")));
        ResourceGauges pool = assertInstanceOf(ResourceGauges.class, b);
        // the warm-up opens the pool's connections in the background and holds them until all are open
        long deadline = System.nanoTime() + 10_000_000_000L;
        Map<String, Number> g = pool.gauges();
        while (g.get("idle").intValue() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(10); // polling interval while the warm-up finishes, bounded by the deadline
            g = pool.gauges();
        }
        assertEquals(0, g.get("active").intValue());
        assertEquals(20, g.get("max").intValue());
        assertTrue(g.get("idle").intValue() >= 1, g.toString());
    }
}
