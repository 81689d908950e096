package xspct.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * {@code plugins.d/} of an installation (in the Debian package a link to {@code /etc/xspct-db/plugins.d}): the
 * launcher passes it after {@code plugins/}, its plugins are loaded like the shipped ones, and a plugin name may
 * be used in only one of the two.
 */
class PluginsDirectoryIT {
    private static final Path EXAMPLE = Path.of(System.getProperty("xspct.example.dir", "examples/custom-backend"));
    private static final String CONFIG = Distribution.TEST_LISTENER + """
            xspct_db_api_key: plugins-d-key
            xspct_db_queries:
              catchall:
                db_type: static_domain
                domains: [example.net]
                entry: {mail: catchall@example.net}
            """;

    @Test
    void pluginsOfPluginsDAreLoadedAfterTheShippedOnes() throws IOException {
        Distribution dist = Distribution.unpack("plugins-d");
        Path pluginsD = dist.home().resolve("plugins.d");
        PluginBuilder.build(EXAMPLE.resolve("src/main/java"), List.of(PluginBuilder.apiJar()), "1.0.0",
                pluginsD.resolve("static-domain/static-domain-1.0.0.jar"));
        try (RunningServer server = RunningServer.start(dist, dist.writeConfig("plugins-d.yml", CONFIG))) {
            String log = server.stdout();
            assertTrue(log.contains("plugin static-domain 1.0.0 loaded from " + pluginsD.resolve("static-domain")),
                    log);
            assertTrue(log.indexOf("plugin yaml ") < log.indexOf("plugin static-domain "), "plugins/ first:\n" + log);
            assertEquals("{\"users\": {\"catchall@example.net\": {\"mail\": [\"catchall@example.net\"]}}}",
                    server.get("/v1/query/x@example.net", Map.of("X-Api-Key", "plugins-d-key")).body());
        }

        // the same name in both directories is refused, naming both
        Files.move(pluginsD.resolve("static-domain"), pluginsD.resolve("yaml"));
        Distribution.Exited run = RunningServer.runToExit(dist, dist.writeConfig("plugins-d.yml", CONFIG));
        assertEquals(2, run.exitCode(), run.output());
        assertTrue(run.stderr().contains("plugin " + pluginsD.resolve("yaml") + ": a plugin named 'yaml' is already "
                + "installed in " + dist.plugins().resolve("yaml") + "; remove or rename one of them"), run.output());
    }
}
