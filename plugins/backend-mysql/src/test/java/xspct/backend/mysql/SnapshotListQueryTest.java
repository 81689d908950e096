package xspct.backend.mysql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import xspct.api.AddressEnumeration;
import xspct.api.Backend;
import xspct.api.QueryContext;
import xspct.core.config.ConfigFile;
import xspct.core.config.YamlNode;

/** {@code snapshot_list_query}: the addresses a MySQL query answers, for snapshots. */
class SnapshotListQueryTest {
    private final List<AutoCloseable> closing = new ArrayList<>();
    private TestDatabase db;

    @BeforeEach
    void tables() throws Exception {
        db = TestDatabase.connect();
        closing.add(db);
        db.exec("CREATE TABLE {p}users (email VARCHAR(200) PRIMARY KEY, alias VARCHAR(200))",
                "INSERT INTO {p}users VALUES ('alice@ex.de', 'alias@ex.de'), ('bob@ex.de', NULL)");
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    private Backend backend(String listQuery, List<String> problems) {
        String yaml = "xspct_db_queries:\n  q:\n" + ("""
                db_type: mysql
                server: 127.0.0.1
                user: root
                password: ""
                database: test
                query: "SELECT * FROM {p}users WHERE email = %u OR alias = %u"
                query_replace: {"%u": address}
                """ + listQuery).replace("{p}", db.prefix).lines().map(l -> "    " + l + "\n")
                .reduce("", String::concat);
        YamlNode root = ConfigFile.parse("test", yaml);
        Backend b = MysqlBackend.create(new QueryContext("q", root.get("xspct_db_queries").get("q"), root),
                ds -> ds);
        closing.add(b);
        problems.addAll(ConfigFile.problemsOf(root).list());
        return b;
    }

    @Test
    void theQueryListsEveryAddressInItsFirstColumn() throws Exception {
        List<String> problems = new ArrayList<>();
        Backend b = backend("snapshot_list_query: \"SELECT email FROM {p}users UNION SELECT alias FROM {p}users\"\n",
                problems);
        assertEquals(List.of(), problems);
        AddressEnumeration e = (AddressEnumeration) b;
        assertTrue(e.canEnumerate());
        List<String> seen = new ArrayList<>();
        e.enumerate(seen::add);
        assertEquals(List.of("alias@ex.de", "alice@ex.de", "bob@ex.de"), seen.stream().sorted().toList(),
                "NULL rows are skipped");
    }

    @Test
    void withoutAListQueryTheQueryDoesNotEnumerate() {
        assertFalse(((AddressEnumeration) backend("", new ArrayList<>())).canEnumerate());
    }

    @Test
    void onlyASelectIsAccepted() {
        List<String> problems = new ArrayList<>();
        backend("snapshot_list_query: \"DELETE FROM {p}users\"\n", problems);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("xspct_db_queries.q.snapshot_list_query"), problems.get(0));
    }
}
