package xspct.distribution;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * An unpacked copy of the release tarball, as a user would install it.
 *
 * <p>{@link #unpack(String)} extracts the tarball built by this module ({@code xspct.tarball}) into a fresh
 * directory below {@code target/it-work}; {@link #shared()} is one such copy shared by every test that leaves the
 * installation as it is (tests that add plugins or edit {@code conf/} unpack their own). Configuration files
 * written with {@link #writeConfig} go to a directory beside the installation, not into it.
 *
 * <p>{@link #environment(Map)} prepares the environment every launch uses: no {@code JAVA_HOME} and a
 * {@code PATH} without any {@code java}, so a server that starts proves the launcher uses only the bundled
 * runtime.
 */
public final class Distribution {
    /** Lines that make a test configuration start quickly and report its port: add them to every test config. */
    public static final String TEST_LISTENER = """
            xspct_db_listen_address: 127.0.0.1
            xspct_db_listen_port: 0
            xspct_db_log_level: 20
            """;

    private static Distribution shared;
    private static Path pathWithoutJava;
    private static Path workDir;

    private final Path home;
    private final Path configDir;

    private Distribution(Path home, Path configDir) {
        this.home = home;
        this.configDir = configDir;
    }

    /**
     * The installation shared by tests that do not modify it; unpacked on first use.
     *
     * @return the shared installation
     */
    public static synchronized Distribution shared() {
        if (shared == null) {
            shared = unpack("shared");
        }
        return shared;
    }

    /**
     * Unpacks the release tarball into a new, empty directory.
     *
     * @param purpose a word for the directory name, e.g. {@code "custom-backend"}
     * @return the installation
     */
    public static Distribution unpack(String purpose) {
        Path tarball = Path.of(property("xspct.tarball"));
        String top = property("xspct.dist.name");
        try {
            Path dir = Files.createTempDirectory(workDir(), purpose + "-");
            Path unpackDir = Files.createDirectory(dir.resolve("install"));
            Exited tar = runTool(List.of("tar", "-xzf", tarball.toString(), "-C", unpackDir.toString()), dir, 120);
            if (tar.exitCode() != 0) {
                throw new IllegalStateException("cannot unpack " + tarball + ": " + tar.output());
            }
            Path home = unpackDir.resolve(top);
            if (!Files.isExecutable(home.resolve("bin/xspct-db"))) {
                throw new IllegalStateException(tarball + " has no " + top + "/bin/xspct-db");
            }
            return new Distribution(home, Files.createDirectory(dir.resolve("conf")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@return the install directory, {@code .../xspct-db-VERSION}} */
    public Path home() {
        return home;
    }

    /** {@return the launcher {@code bin/xspct-db}} */
    public Path launcher() {
        return home.resolve("bin/xspct-db");
    }

    /** {@return the plugin directory {@code plugins/}} */
    public Path plugins() {
        return home.resolve("plugins");
    }

    /** {@return the bundled runtime's {@code java}} */
    public Path runtimeJava() {
        return home.resolve("runtime/bin/java");
    }

    /**
     * Writes a configuration file beside (not inside) the installation.
     *
     * @param name file name, e.g. {@code "auth.yml"}
     * @param yaml the content; start it with {@link #TEST_LISTENER} for a server the harness can reach
     * @return the file
     */
    public Path writeConfig(String name, String yaml) {
        try {
            return Files.writeString(configDir.resolve(name), yaml, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Adjusts a process environment for a launch: removes {@code JAVA_HOME} and sets a {@code PATH} on which no
     * {@code java} can be found. When {@code /usr/bin/java} or {@code /bin/java} exists (a JDK installed by the
     * system), {@code PATH} is a directory of links to the few tools the launcher may use instead.
     *
     * @param env the environment of a {@link ProcessBuilder}
     */
    public static void environment(Map<String, String> env) {
        env.remove("JAVA_HOME");
        env.remove("JDK_JAVA_OPTIONS");
        env.remove("XSPCT_JAVA_OPTS");
        env.put("PATH", pathWithoutJava());
    }

    private static synchronized String pathWithoutJava() {
        if (pathWithoutJava != null) {
            return pathWithoutJava.toString();
        }
        String plain = "/usr/bin:/bin";
        if (!Files.exists(Path.of("/usr/bin/java")) && !Files.exists(Path.of("/bin/java"))) {
            return plain;
        }
        try {
            Path dir = Files.createDirectories(workDir().resolve("path-without-java"));
            for (String tool : List.of("sh", "readlink", "dirname", "basename", "uname", "cat", "sed", "grep",
                    "ls", "env")) {
                Path target = Files.exists(Path.of("/usr/bin", tool)) ? Path.of("/usr/bin", tool)
                        : Path.of("/bin", tool);
                Path link = dir.resolve(tool);
                if (Files.exists(target) && !Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createSymbolicLink(link, target);
                }
            }
            if (Files.exists(dir.resolve("java"))) {
                throw new IllegalStateException(dir + " must not contain java");
            }
            pathWithoutJava = dir;
            return dir.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs a command to completion (with the launch environment, see {@link #environment(Map)}), output and
     * errors merged.
     *
     * @param command        the command
     * @param workingDir     its working directory
     * @param timeoutSeconds deadline; the process is killed and an exception thrown when it passes
     * @return the exit code and output
     */
    public static Exited run(List<String> command, Path workingDir, long timeoutSeconds) {
        return Launch.toEnd(command, workingDir, true, timeoutSeconds);
    }

    /**
     * Runs a system tool such as {@code tar} or {@code du} to completion, in the tests' own environment.
     *
     * @param command        the command
     * @param workingDir     its working directory
     * @param timeoutSeconds deadline; the process is killed and an exception thrown when it passes
     * @return the exit code and output
     */
    public static Exited runTool(List<String> command, Path workingDir, long timeoutSeconds) {
        return Launch.toEnd(command, workingDir, false, timeoutSeconds);
    }

    /**
     * The directory all unpacked copies, configurations and logs go to. Emptied once per test JVM: each copy is
     * about 80 MB, and they would pile up over repeated runs; the last run's files stay for inspection.
     */
    static synchronized Path workDir() {
        if (workDir == null) {
            Path dir = Path.of(System.getProperty("xspct.work.dir",
                    System.getProperty("java.io.tmpdir") + "/xspct-it"));
            deleteTree(dir);
            try {
                workDir = Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return workDir;
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot empty " + dir, e);
        }
    }

    private static String property(String name) {
        String v = System.getProperty(name);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException("system property " + name + " is not set (run the tests through "
                    + "Maven: mvn -pl distribution -am verify)");
        }
        return v;
    }

    /**
     * A process that ran to its end.
     *
     * @param exitCode its exit code
     * @param stdout   its standard output
     * @param stderr   its standard error
     */
    public record Exited(int exitCode, String stdout, String stderr) {
        /** {@return standard output and standard error together, for messages} */
        public String output() {
            return stdout + stderr;
        }
    }
}
