package xspct.tests.rspamd;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * xspct-db started as its own JVM, as the launcher does: the server's modules on the module path, the assembled
 * plugin directories of this build in a plugin directory of its own. Until the distribution's harness exists this
 * is how the black-box tests of this module run the server.
 */
// close waits for the process (InterruptedException)
@SuppressWarnings("try")
final class XspctProcess implements AutoCloseable {
    static final Path ROOT = Path.of("").toAbsolutePath().resolve("../..").normalize();

    private final Process process;
    private final Path log;
    final int port;

    private XspctProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /**
     * Starts the server.
     *
     * @param dir     a scratch directory
     * @param yaml    the configuration without listen keys (they are added)
     * @param plugins plugin directory names to install, e.g. {@code yaml}, {@code msgpack}
     */
    static XspctProcess start(Path dir, String yaml, String... plugins) throws Exception {
        Path pluginDir = Files.createDirectories(dir.resolve("plugins"));
        for (String p : plugins) {
            copyTree(assembled(p), pluginDir.resolve(p));
        }
        int port = freePort();
        Path config = dir.resolve("xspct.yml");
        Files.writeString(config, "xspct_db_listen_address: 127.0.0.1\nxspct_db_listen_port: " + port + "\n"
                + "xspct_db_log_level: 20\n" + yaml);
        Path log = dir.resolve("xspct.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-Dxspct.plugins=" + pluginDir,
                "--module-path", modulePath(), "-m", "xspct.server/xspct.server.Main", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        XspctProcess p = new XspctProcess(pb.start(), log, port);
        p.awaitPing();
        return p;
    }

    /** A plugin directory assembled by this build (plugins/NAME/target/plugin/DIR). */
    private static Path assembled(String dirName) throws IOException {
        try (Stream<Path> s = Files.list(ROOT.resolve("plugins"))) {
            for (Path module : s.toList()) {
                Path candidate = module.resolve("target/plugin").resolve(dirName);
                if (Files.isDirectory(candidate)) {
                    return candidate;
                }
            }
        }
        throw new IllegalStateException("plugin directory '" + dirName + "' not assembled; build the plugins first");
    }

    /** The test class path minus test tooling and anything a plugin directory provides. */
    private static String modulePath() {
        List<String> out = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = Path.of(e).getFileName().toString();
            if (e.contains("test-classes") || e.endsWith(File.separator + "classes") || name.startsWith("junit")
                    || name.startsWith("opentest4j") || name.startsWith("apiguardian") || name.contains("surefire")
                    || name.startsWith("xspct-plugin-") || name.startsWith("msgpack-core")) {
                continue;
            }
            out.add(e);
        }
        return String.join(File.pathSeparator, out);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private void awaitPing() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("xspct-db exited with " + process.exitValue() + ":\n" + log());
            }
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri("/ping"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("xspct-db did not answer /ping within 60 s:\n" + log());
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path f : s.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }
}
