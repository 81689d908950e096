package xspct.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The plugin example in {@code examples/custom-backend}, built from source against the API jar alone, dropped
 * into an unpacked release and queried with the example's own configuration.
 */
class CustomBackendIT {
    private static final Map<String, String> KEY = Map.of("X-Api-Key", "example-key-change-me");
    private static final Path EXAMPLE = Path.of(System.getProperty("xspct.example.dir", "examples/custom-backend"));

    private static Distribution dist;

    @BeforeAll
    static void installExample() {
        dist = Distribution.unpack("custom-backend");
        PluginBuilder.build(EXAMPLE.resolve("src/main/java"), List.of(PluginBuilder.apiJar()), "1.0.0",
                dist.plugins().resolve("static-domain/static-domain-1.0.0.jar"));
    }

    @Test
    void examplePluginServesItsDbType() throws IOException {
        String exampleConfig = Files.readString(EXAMPLE.resolve("xspct-db.yml"));
        String config = Distribution.TEST_LISTENER + exampleConfig
                .replaceFirst("(?m)^xspct_db_listen_address:.*\\R", "")
                .replaceFirst("(?m)^xspct_db_listen_port:.*\\R", "");
        try (RunningServer server = RunningServer.start(dist, dist.writeConfig("static-domain.yml", config))) {
            assertTrue(server.stdout().contains("plugin static-domain 1.0.0 loaded"), server.stdout());

            HttpResponse<String> catchall = server.get("/v1/query/anyone@Example.NET", KEY);
            assertEquals(200, catchall.statusCode(), catchall.body());
            assertEquals("{\"users\": {\"catchall@example.net\": {\"mail\": [\"catchall@example.net\"], "
                    + "\"mailbox\": [\"example.net/catchall/\"], "
                    + "\"comment\": [\"anyone is delivered to the catch-all\"]}}}", catchall.body());

            // the shipped yaml backend still answers its own domain, the example plugin does not interfere
            HttpResponse<String> alice = server.get("/v1/query/a@example.org", KEY);
            assertEquals("{\"users\": {\"alice@example.org\": {\"mail\": [\"alice@example.org\"], "
                    + "\"aliases\": [\"a@example.org\"], \"mailbox\": [\"example.org/alice/\"]}}}", alice.body());

            assertEquals("{\"users\": {}}", server.get("/v1/query/someone@example.com", KEY).body());
        }
    }

    @Test
    void examplePluginReportsConfigProblemsByKey() {
        Path config = dist.writeConfig("broken.yml", Distribution.TEST_LISTENER + """
                xspct_db_queries:
                  catchall:
                    db_type: static_domain
                """);
        Distribution.Exited run = RunningServer.runToExit(dist, config);
        assertEquals(2, run.exitCode(), run.output());
        assertTrue(run.output().contains("xspct_db_queries.catchall.domains"), run.output());
        assertTrue(run.output().contains("xspct_db_queries.catchall.entry"), run.output());
    }
}
