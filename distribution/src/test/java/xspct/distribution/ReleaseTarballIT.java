package xspct.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The release tarball as a user gets it: its layout, the runtime image, and a start of the shipped example
 * configuration without any Java installation in sight.
 */
class ReleaseTarballIT {
    private static final String KEY = "example-key-change-me";
    private static final Set<String> FORBIDDEN = Set.of("java.desktop", "jdk.compiler", "java.xml.crypto",
            "jdk.jshell");

    private static Distribution dist;

    @BeforeAll
    static void unpack() throws IOException {
        dist = Distribution.unpack("release");
        // the shipped configuration, only moved to a free port
        Path conf = dist.home().resolve("conf/xspct-db.yml");
        String shipped = Files.readString(conf);
        String moved = shipped.replaceFirst("(?m)^xspct_db_listen_port: 11350$", "xspct_db_listen_port: 0");
        assertNotEquals(shipped, moved, "conf/xspct-db.yml should set xspct_db_listen_port: 11350");
        Files.writeString(conf, moved);
    }

    @Test
    void tarballHoldsOneTopDirectoryWithLauncherRuntimePluginsAndConfig() {
        String top = System.getProperty("xspct.dist.name") + "/";
        Distribution.Exited list = Distribution.runTool(List.of("tar", "-tzf",
                System.getProperty("xspct.tarball")), dist.home(), 60);
        assertEquals(0, list.exitCode(), list.output());
        List<String> entries = list.stdout().lines().toList();
        for (String e : entries) {
            assertTrue(e.startsWith(top), "entry outside " + top + ": " + e);
        }
        List<String> required = new ArrayList<>(List.of("bin/xspct-db", "runtime/bin/java", "conf/xspct-db.yml",
                "plugins/yaml/xspct-plugin-backend-yaml-0.1.0.jar",
                "plugins/testing/xspct-plugin-backend-testing-0.1.0.jar"));
        if (!"skip".equals(System.getProperty("xspct.aot"))) {
            required.add("lib/xspct-db.aot");
        }
        for (String r : required) {
            assertTrue(entries.contains(top + r), "missing " + r);
        }
        assertTrue(Files.isExecutable(dist.launcher()), "bin/xspct-db must be executable");
        assertFalse(entries.stream().anyMatch(e -> e.contains("xspct-api")), "the API jar must not be in plugins/");
    }

    @Test
    void launchEnvironmentHasNoJava() {
        Distribution.Exited which = Distribution.run(List.of("/bin/sh", "-c",
                "command -v java; echo \"JAVA_HOME=${JAVA_HOME-unset}\""), dist.home(), 30);
        assertEquals("JAVA_HOME=unset", which.stdout().strip(), "java found or JAVA_HOME set: " + which.output());
    }

    @Test
    void shippedConfigAnswersFromTheInstallDirectory() throws IOException {
        try (RunningServer server = RunningServer.start(List.of("bin/xspct-db", "conf/xspct-db.yml"), dist.home(),
                Map.of())) {
            HttpResponse<String> ping = server.get("/ping", Map.of());
            assertEquals(200, ping.statusCode());
            assertEquals("Pong", ping.body());

            HttpResponse<String> alias = server.get("/v1/query/a@example.org", Map.of("X-Api-Key", KEY));
            assertEquals(200, alias.statusCode(), alias.body());
            assertEquals("application/json", alias.headers().firstValue("Content-Type").orElse(""));
            // cold path: keyed by the primary key, every value a list of strings
            assertEquals("{\"users\": {\"alice@example.org\": {\"mail\": [\"alice@example.org\"], "
                    + "\"aliases\": [\"a@example.org\", \"alice.smith@example.org\"], "
                    + "\"mailbox\": [\"example.org/alice/\"], \"quota\": [\"1024\"]}}}", alias.body());

            HttpResponse<String> unknown = server.get("/v1/query/nobody@example.org", Map.of("X-Api-Key", KEY));
            assertEquals("{\"users\": {}}", unknown.body());
            assertEquals(" -Xmx" + defaultHeapBound() + " ", heapOption(server));
            assertEquals(0, server.stop(), server.stdout());
        }
    }

    @Test
    void heapBoundFromTheEnvironmentWins() {
        try (RunningServer server = RunningServer.start(List.of("bin/xspct-db", "conf/xspct-db.yml"), dist.home(),
                Map.of("XSPCT_HEAP_MAX", "96m"))) {
            assertEquals(" -Xmx96m ", heapOption(server));
        }
    }

    /** The launcher's {@code -Xmx} option on the JVM's command line (the launcher replaced itself with the JVM). */
    private static String heapOption(RunningServer server) {
        String cmdline = server.commandLine();
        Matcher m = Pattern.compile(" -Xmx\\S+ ").matcher(cmdline);
        assertTrue(m.find(), "no heap bound: " + cmdline);
        return m.group();
    }

    /**
     * The default heap bound docs/operations.md promises on this machine: a quarter of the memory available (the
     * machine's, or the cgroup's limit when lower), at least 64 MiB and at most 1 GiB.
     */
    private static String defaultHeapBound() throws IOException {
        long kb = Long.MAX_VALUE;
        for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (l.startsWith("MemTotal:")) {
                kb = Long.parseLong(l.replaceAll("\\D", ""));
            }
        }
        String v2 = null;
        String v1 = null;
        for (String l : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            if (l.startsWith("0::")) {
                v2 = l.substring(3);
            } else if (l.matches("\\d+:memory:.*")) {
                v1 = l.substring(l.indexOf(":memory:") + 8);
            }
        }
        Path max = v2 == null ? null : Path.of("/sys/fs/cgroup" + v2, "memory.max");
        Path limit = max != null && Files.isReadable(max) ? max
                : v1 == null ? null : Path.of("/sys/fs/cgroup/memory" + v1, "memory.limit_in_bytes");
        if (limit != null && Files.isReadable(limit)) {
            String bytes = Files.readString(limit).strip();
            // "max" (v2) or a number beyond any machine (v1) mean no limit
            if (bytes.matches("\\d{1,18}")) {
                kb = Math.min(kb, Long.parseLong(bytes) / 1024);
            }
        }
        return kb == Long.MAX_VALUE ? "1024m" : Math.max(64, Math.min(1024, kb / 4096)) + "m";
    }

    @Test
    void launcherFollowsSymlinksAndDefaultsToTheShippedConfig() throws IOException {
        Path links = Files.createTempDirectory(Distribution.workDir(), "links-");
        // a relative link, as a package manager would put into /usr/local/bin
        Path link = Files.createSymbolicLink(links.resolve("xspct-db"), links.relativize(dist.launcher()));
        try (RunningServer server = RunningServer.start(List.of(link.toString()), links, Map.of())) {
            assertEquals("Pong", server.get("/ping", Map.of()).body());
            // the shipped configuration was used: its key and its data
            HttpResponse<String> bob = server.get("/v1/query/b@example.org", Map.of("X-Api-Key", KEY));
            assertEquals(200, bob.statusCode(), bob.body());
            assertTrue(bob.body().startsWith("{\"users\": {\"bob@example.org\": {"), bob.body());
        }
    }

    @Test
    void runtimeImageIsTrimmed() throws IOException {
        Distribution.Exited list = Distribution.run(List.of(dist.runtimeJava().toString(), "--list-modules"),
                dist.home(), 60);
        assertEquals(0, list.exitCode(), list.output());
        Set<String> modules = new TreeSet<>();
        list.stdout().lines().map(l -> l.replaceFirst("@.*", "").strip()).filter(l -> !l.isEmpty())
                .forEach(modules::add);
        for (String m : FORBIDDEN) {
            assertFalse(modules.contains(m), "runtime image contains " + m);
        }
        for (String m : List.of("xspct.server", "xspct.core", "xspct.api", "io.helidon.webserver",
                "io.helidon.config.yaml", "org.yaml.snakeyaml", "com.fasterxml.jackson.core", "java.sql",
                "java.naming", "java.management", "java.security.sasl", "jdk.unsupported")) {
            assertTrue(modules.contains(m), "runtime image lacks " + m + ": " + modules);
        }
        long tarball = Files.size(Path.of(System.getProperty("xspct.tarball")));
        String report = "runtime image: " + modules.size() + " modules, " + du(dist.home().resolve("runtime"))
                + " KiB; AOT cache " + du(dist.home().resolve("lib"))
                + " KiB; installation " + du(dist.home()) + " KiB; tarball " + tarball / 1024 + " KiB\n"
                + "modules: " + String.join(" ", modules) + "\n";
        Files.writeString(Distribution.workDir().resolve("distribution-report.txt"), report);
        System.out.print(report);
    }

    private static long du(Path dir) {
        Distribution.Exited du = Distribution.runTool(List.of("du", "-sk", dir.toString()), dir, 60);
        assertEquals(0, du.exitCode(), du.output());
        return Long.parseLong(Arrays.asList(du.stdout().split("\\s+")).get(0));
    }
}
