package xspct.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The shipped plugins' module indexes, and {@code plugins.d/} of an installation (in the Debian package a link to {@code /etc/xspct-db/plugins.d}): the
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

    /**
     * Every shipped plugin directory carries a module index that matches its jars; a jar that no longer matches
     * its index (an administrator replaced it) is read from the jars, said at INFO level, and the index can be
     * rewritten with the release's own runtime.
     */
    @Test
    void shippedPluginsHaveAModuleIndexThatIsIgnoredWhenAJarChanges() throws IOException {
        Distribution dist = Distribution.unpack("module-index");
        List<String> tool = List.of(dist.runtimeJava().toString(), "-m", "xspct.core/xspct.core.plugin.ModuleIndex");
        List<String> check = with(tool, "--check");
        try (Stream<Path> dirs = Files.list(dist.plugins())) {
            dirs.sorted().forEach(d -> {
                assertTrue(Files.isRegularFile(d.resolve("module-index")), d + " has no module-index");
                check.add(d.toString());
            });
        }
        Distribution.Exited checked = Distribution.run(check, dist.home(), 60);
        assertEquals(0, checked.exitCode(), checked.output());

        // the yaml plugin's jar recorded with another size: what the index of a replaced jar looks like
        Path yaml = dist.plugins().resolve("yaml");
        Path index = yaml.resolve("module-index");
        String jar;
        try (Stream<Path> jars = Files.list(yaml)) {
            jar = jars.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jar")).findFirst().orElseThrow();
        }
        long size = Files.size(yaml.resolve(jar));
        String text = Files.readString(index);
        Files.writeString(index, text.replace("jar\t" + jar + "\t" + size + "\t", "jar\t" + jar + "\t" + (size + 1) + "\t"));
        Distribution.Exited stale = Distribution.run(with(tool, "--check", yaml.toString()), dist.home(), 60);
        assertEquals(1, stale.exitCode(), stale.output());
        assertTrue(stale.output().contains(jar + " is not the jar its module index describes"), stale.output());

        String config = Distribution.TEST_LISTENER + Files.readString(dist.home().resolve("conf/xspct-db.yml"))
                .replaceAll("(?m)^xspct_db_(listen_address|listen_port|log_level):.*$", "");
        try (RunningServer server = RunningServer.start(dist, dist.writeConfig("module-index.yml", config))) {
            assertTrue(server.stdout().contains("plugin " + yaml + ": " + jar + " is not the jar its module index "
                    + "describes; reading its jars instead"), server.stdout());
            assertEquals("{\"users\": {}}", server.get("/v1/query/nobody@example.org",
                    Map.of("X-Api-Key", "example-key-change-me")).body());
        }

        // what docs/plugins.md tells an administrator to run after replacing a jar
        Distribution.Exited rewritten = Distribution.run(with(tool, yaml.toString()), dist.home(), 60);
        assertEquals(0, rewritten.exitCode(), rewritten.output());
        assertEquals(text, Files.readString(index));
    }

    private static List<String> with(List<String> command, String... args) {
        List<String> all = new ArrayList<>(command);
        all.addAll(List.of(args));
        return all;
    }
}
