package xspct.backends.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import xspct.backend.ldap.LdapBackendProvider;
import xspct.backend.mysql.CountingMysqlProvider;
import xspct.core.XspctService;
import xspct.core.Reply;
import xspct.server.InProcessServer;

/**
 * The worked example of docs/backends.md through the core's pipeline (translation, merge, use_result chain) with a
 * real LDAP server and the real MariaDB.
 */
class WorkedExampleTest {
    private ExampleDatabase db;
    private ExampleDirectory ldap;
    private XspctService service;
    private final CountingMysqlProvider mysql = new CountingMysqlProvider();

    @BeforeEach
    void start() throws Exception {
        db = Services.database(0);
        ldap = new ExampleDirectory(0);
        service = WorkedExample.service(WorkedExample.config(ldap, db), new LdapBackendProvider(), mysql);
    }

    @AfterEach
    void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        if (ldap != null) {
            ldap.close();
        }
        if (db != null) {
            db.close();
        }
    }

    private static Map<String, Object> user(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], List.of(kv[i + 1]));
        }
        return m;
    }

    @Test
    void batchMergesUsersPolicyAndChainedDomains() throws Exception {
        List<String> batch = List.of("alice@example.org", "ALIAS@example.org", "bob@example.org",
                "carol@other.example", "nobody@example.org", "ghost@unknown.example");
        Reply reply = service.lookups().batch(batch);
        Map<String, Map<String, Object>> users = assertInstanceOf(Reply.Users.class, reply).users();

        Map<String, Object> alice = user("mail", "alice@example.org", "uid", "alice", "cn", "Alice",
                "aliases", "alias@example.org", "quota_mb", "1024", "spam_score", "6.5",
                "domain", "example.org", "rspamd_profile", "strict");
        Map<String, Object> bob = user("mail", "bob@example.org", "uid", "bob", "cn", "Bob",
                "domain", "example.org", "rspamd_profile", "strict");
        Map<String, Object> carol = user("mail", "carol@other.example", "uid", "carol", "cn", "Carol",
                "quota_mb", "512", "spam_score", "8.0", "domain", "other.example", "rspamd_profile", "relaxed");
        Map<String, Object> nobody = user("domain", "example.org", "rspamd_profile", "strict");
        assertEquals(List.of("alice@example.org", "ALIAS@example.org", "bob@example.org", "carol@other.example",
                "nobody@example.org"), List.copyOf(users.keySet()));
        assertEquals(alice, users.get("alice@example.org"));
        assertEquals(alice, users.get("ALIAS@example.org"));
        assertEquals(bob, users.get("bob@example.org"));
        assertEquals(carol, users.get("carol@other.example"));
        assertEquals(nobody, users.get("nobody@example.org"));

        // one search for the users query, one statement each for policy and the chained domain query
        assertEquals(1, ldap.searches());
        assertEquals(2, mysql.statements());
    }

    @Test
    void singleLookupTakesTheSamePath() throws Exception {
        Reply reply = service.lookups().get("alias@example.org");
        Map<String, Map<String, Object>> users = assertInstanceOf(Reply.Users.class, reply).users();
        assertEquals(1, users.size());
        Map<String, Object> u = users.values().iterator().next();
        assertEquals(List.of("alice"), u.get("uid"));
        assertEquals(List.of("strict"), u.get("rspamd_profile"));
        // the policy table is keyed by the looked-up address, and the alias has no row of its own
        assertEquals(null, u.get("quota_mb"));
    }

    @Test
    void queryJsonOverHttp() throws Exception {
        try (InProcessServer server = InProcessServer.start(service); HttpClient http = HttpClient.newHttpClient()) {
            HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                            + "/v1/query-json"))
                    .header("X-Api-Key", "replace-with-a-long-random-key")
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"users\": [\"bob@example.org\", \"ghost@unknown.example\"]}"))
                    .build();
            HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
            assertEquals(200, resp.statusCode(), resp.body());
            assertTrue(resp.body().contains("bob@example.org") && resp.body().contains("strict")
                    && !resp.body().contains("ghost"), resp.body());
        }
    }
}
