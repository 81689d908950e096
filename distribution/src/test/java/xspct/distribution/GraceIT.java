package xspct.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static xspct.distribution.SnapshotSetup.AUTH;
import static xspct.distribution.SnapshotSetup.await;
import static xspct.distribution.SnapshotSetup.awaitLog;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code xspct_db_local_cache.grace} with the backend down: an L1 entry past its lifetime answers while MariaDB is
 * unreachable (a proxy the test stops), an address never cached still fails, and the backend answers again once it
 * is back.
 */
class GraceIT {
    private final String table = "grace" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());

    @BeforeEach
    void createTable() {
        MariaDb.exec("CREATE TABLE test." + table + " (mail VARCHAR(200) PRIMARY KEY, quota INT); INSERT INTO test."
                + table + " VALUES ('alice@example.org', 100), ('bob@example.org', 200)");
    }

    @AfterEach
    void dropTable() {
        MariaDb.exec("DROP TABLE IF EXISTS test." + table);
    }

    @Test
    void staleEntriesAnswerWhileTheBackendIsDown() throws Exception {
        Distribution dist = Distribution.shared();
        try (DatabaseProxy proxy = new DatabaseProxy(3306).start()) {
            Path config = dist.writeConfig("grace.yml", Distribution.TEST_LISTENER + """
                    xspct_db_api_key: k
                    xspct_db_local_cache: {expire: 0.2, grace: 300}
                    xspct_db_queries:
                      users:
                        db_type: mysql
                        server: 127.0.0.1
                        port: %d
                        user: root
                        password: ""
                        database: test
                        query: "SELECT mail, quota FROM %s WHERE mail = %%u"
                        query_replace: {"%%u": address}
                        connect_timeout: 1
                        query_timeout: 2
                    """.formatted(proxy.port(), table));
            try (RunningServer s = RunningServer.start(dist, config)) {
                HttpResponse<String> fresh = s.get("/v1/query/alice@example.org", AUTH);
                assertEquals(200, fresh.statusCode(), fresh.body());
                assertTrue(fresh.body().contains("\"quota\": [\"100\"]"), fresh.body());

                proxy.stop();
                // until the entry's lifetime ends the live L1 answers; then the grace entry does, with a warning
                await(() -> s.get("/v1/query/alice@example.org", AUTH).statusCode() == 200
                        && s.stdout().contains("(grace)"), () -> "a grace answer\n" + s.stdout());
                HttpResponse<String> stale = s.get("/v1/query/alice@example.org", AUTH);
                assertEquals(200, stale.statusCode(), stale.body());
                assertEquals(fresh.body(), stale.body());
                HttpResponse<String> never = s.get("/v1/query/bob@example.org", AUTH);
                assertEquals(500, never.statusCode(), "nothing cached for bob: the backend's error stands");
                assertTrue(never.body().contains("MySQL connection error"), never.body());
                assertEquals(1, SnapshotSetup.occurrences(s.stdout(), "(grace)"), "logged once a minute at most");

                proxy.start();
                await(() -> s.get("/v1/query/bob@example.org", AUTH).statusCode() == 200,
                        () -> "the backend answers again\n" + s.stdout());
                awaitLog(s, "(grace)", 1);
            }
        }
    }
}
