package xspct.backend.ldap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import xspct.api.Backend;
import xspct.api.ChangeFeed;
import xspct.api.ChangeFeedContext;
import xspct.api.ChangeFeedStateStore;
import xspct.api.ChangeSink;
import xspct.api.ChangeSource;
import xspct.api.QueryContext;
import xspct.api.testing.Await;
import xspct.core.config.ConfigFile;
import xspct.core.config.YamlNode;

/** The ldap change feed against a real OpenLDAP slapd, with and without the syncprov overlay. */
class LdapChangeFeedTest {
    private static final Duration DEADLINE = Duration.ofSeconds(10);
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final Map<String, byte[]> state = new ConcurrentHashMap<>();

    @TempDir
    Path temp;

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    /** Records what a feed reports. */
    static final class RecordingSink implements ChangeSink {
        final Set<String> evicted = ConcurrentHashMap.newKeySet();
        final AtomicInteger flushes = new AtomicInteger();

        @Override
        public boolean evict(Collection<String> addresses, int events, long oldestChangeNanos) {
            evicted.addAll(addresses);
            return true;
        }

        @Override
        public boolean flush(String reason) {
            flushes.incrementAndGet();
            return true;
        }
    }

    private final ChangeFeedStateStore store = new ChangeFeedStateStore() {
        @Override
        public Optional<byte[]> load(String name) {
            return Optional.ofNullable(state.get(name));
        }

        @Override
        public boolean save(String name, byte[] value) {
            state.put(name, value.clone());
            return true;
        }
    };

    private Slapd slapd(boolean syncprov) throws Exception {
        Slapd s = Slapd.start(temp.resolve(syncprov ? "sync" : "plain"), syncprov);
        closing.add(s);
        s.ldif("ldapadd", person("alice") + "\n" + person("bob"));
        return s;
    }

    private static String person(String uid) {
        return """
                dn: uid=%1$s,ou=people,%2$s
                objectClass: inetOrgPerson
                uid: %1$s
                cn: %1$s
                sn: %1$s
                mail: %1$s@ex.test
                """.formatted(uid, Slapd.BASE);
    }

    private ChangeFeed feed(Slapd s, RecordingSink sink) {
        String yaml = """
                xspct_db_queries:
                  users:
                    db_type: ldap
                    server: ldap://127.0.0.1:%d
                    bind_dn: "%s"
                    bind_dn_pw: %s
                    base_dn: "%s"
                    search_filter: "(mail=%%u)"
                    search_filter_replace: {"%%u": address}
                    connect_timeout: 2
                    change_feed: {key_attributes: [mail]}
                """.formatted(s.port, Slapd.ADMIN, Slapd.PASSWORD, Slapd.BASE);
        YamlNode root = ConfigFile.parse("test", yaml);
        Backend b = LdapBackend.create(new QueryContext("users", root.get("xspct_db_queries").get("users"), root));
        assertEquals(List.of(), ConfigFile.problemsOf(root).list());
        closing.add(b);
        ChangeFeed f = ((ChangeSource) b).startChangeFeed(new ChangeFeedContext(sink, false, Duration.ofMillis(100),
                Duration.ofDays(1), Duration.ofSeconds(10), "test/1/x", store));
        closing.add(f);
        return f;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Await.until(what, DEADLINE, condition);
    }

    @Test
    void modifiesAndDeletesMadeWithLdapmodifyAreReported() throws Exception {
        Slapd s = slapd(true);
        RecordingSink sink = new RecordingSink();
        ChangeFeed f = feed(s, sink);
        await("the first sync ends with one flush (no saved cookie)",
                () -> sink.flushes.get() == 1 && "tailing".equals(f.status().state()));

        s.ldif("ldapmodify", """
                dn: uid=alice,ou=people,%s
                changetype: modify
                replace: mail
                mail: alice2@ex.test
                """.formatted(Slapd.BASE));
        await("the old and the new address are evicted",
                () -> sink.evicted.containsAll(Set.of("alice@ex.test", "alice2@ex.test")));
        s.ldif("ldapmodify", """
                dn: uid=bob,ou=people,%s
                changetype: delete
                """.formatted(Slapd.BASE));
        await("a deleted entry's address is evicted", () -> sink.evicted.contains("bob@ex.test"));
        assertEquals(1, sink.flushes.get());
        assertTrue(state.get("ldap-sync-cookie.users").length > 0, "the cookie is saved");
    }

    @Test
    void aRestartResumesFromTheSavedCookie() throws Exception {
        Slapd s = slapd(true);
        RecordingSink first = new RecordingSink();
        ChangeFeed f = feed(s, first);
        await("the first sync", () -> first.flushes.get() == 1 && state.containsKey("ldap-sync-cookie.users"));
        f.close();
        s.ldif("ldapmodify", """
                dn: uid=bob,ou=people,%s
                changetype: modify
                replace: cn
                cn: Bob Changed
                """.formatted(Slapd.BASE));
        RecordingSink second = new RecordingSink();
        feed(s, second);
        await("the change made while the feed was down is reported after the restart",
                () -> second.evicted.contains("bob@ex.test"));
        assertTrue(!second.evicted.contains("alice@ex.test") || second.flushes.get() > 0,
                "unchanged entries are not evicted one by one: " + second.evicted);
    }

    @Test
    void withoutTheSyncProviderModifyTimestampIsPolled() throws Exception {
        Slapd s = slapd(false);
        RecordingSink sink = new RecordingSink();
        ChangeFeed f = feed(s, sink);
        await("polling", () -> "polling".equals(f.status().state()));
        s.ldif("ldapmodify", """
                dn: uid=alice,ou=people,%s
                changetype: modify
                replace: mail
                mail: alice3@ex.test
                """.formatted(Slapd.BASE));
        // only a read after the modification can name the new address
        await("the modified entry's address is evicted", () -> sink.evicted.contains("alice3@ex.test"));
    }
}
