package xspct.backend.ldap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import xspct.api.AddressEnumeration;
import xspct.api.Backend;
import xspct.api.QueryContext;
import xspct.core.config.ConfigFile;
import xspct.core.config.YamlNode;

/** {@code snapshot_list_filter}: the addresses an LDAP query answers, for snapshots. */
class SnapshotListFilterTest {
    private TestDirectory dir;
    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        dir = TestDirectory.create(TestDirectory.Tls.NONE, null).start();
        closing.add(dir);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    private Backend backend(String extra, List<String> problems) {
        String yaml = "xspct_db_queries:\n  q:\n" + ("""
                db_type: ldap
                server: %s
                bind_dn: cn=svc,dc=ex,dc=de
                bind_dn_pw: s3cret-pw
                base_dn: dc=ex,dc=de
                search_filter: "(|(mail=%%s)(mailAlternateAddress=%%s))"
                search_filter_replace: {"%%s": address}
                """.formatted(dir.url()) + extra).lines().map(l -> "    " + l + "\n").reduce("", String::concat);
        YamlNode root = ConfigFile.parse("test", yaml);
        Backend b = new LdapBackendProvider().create(new QueryContext("q", root.get("xspct_db_queries").get("q"),
                root));
        closing.add(b);
        problems.addAll(ConfigFile.problemsOf(root).list());
        return b;
    }

    @Test
    void theFilterListsTheValuesOfTheAddressAttributes() throws Exception {
        List<String> problems = new ArrayList<>();
        Backend b = backend("snapshot_list_filter: \"(objectClass=inetOrgPerson)\"\n"
                + "snapshot_list_attributes: [mail, mailAlternateAddress]\n", problems);
        assertEquals(List.of(), problems);
        AddressEnumeration e = (AddressEnumeration) b;
        assertTrue(e.canEnumerate());
        TreeSet<String> seen = new TreeSet<>();
        e.enumerate(seen::add);
        assertEquals(new TreeSet<>(List.of("alice@ex.de", "alias@ex.de", "a.lias@ex.de", "bob@ex.de",
                "carol@other.de", "*@ex.de")), seen);
    }

    @Test
    void withoutAFilterTheQueryDoesNotEnumerate() {
        assertFalse(((AddressEnumeration) backend("", new ArrayList<>())).canEnumerate());
    }

    @Test
    void anInvalidFilterIsAProblemOfItsKey() {
        List<String> problems = new ArrayList<>();
        backend("snapshot_list_filter: \"(objectClass=\"\n", problems);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("xspct_db_queries.q.snapshot_list_filter"), problems.get(0));
    }
}
