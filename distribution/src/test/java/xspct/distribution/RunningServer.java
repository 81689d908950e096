package xspct.distribution;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An xspct-db server started from an unpacked release with its launcher, for end-to-end tests.
 *
 * <pre>{@code
 * Distribution dist = Distribution.shared();
 * Path config = dist.writeConfig("my.yml", Distribution.TEST_LISTENER + "xspct_db_api_key: k\n...");
 * try (RunningServer server = RunningServer.start(dist, config)) {
 *     HttpResponse<String> r = server.get("/v1/query/a@example.org", Map.of("X-Api-Key", "k"));
 *     assertEquals(200, r.statusCode());
 *     assertEquals(0, server.stop());
 * }
 * }</pre>
 *
 * <p>The process is {@code bin/xspct-db CONFIG} with the environment of {@link Distribution#environment(Map)}
 * (no {@code JAVA_HOME}, no {@code java} on {@code PATH}). Standard output and error go to files, readable at any
 * time with {@link #stdout()} and {@link #stderr()} (also after the process has ended). The port comes from the
 * log line {@code xspct-db listening on 127.0.0.1:PORT}, so the configuration must listen on 127.0.0.1, port 0,
 * at log level 20 or lower ({@link Distribution#TEST_LISTENER}). {@link #close()} kills whatever is still
 * running, so use try-with-resources.
 */
public final class RunningServer implements AutoCloseable {
    /** How long a start may take before the test fails (a start takes about a second). */
    public static final Duration START_DEADLINE = Duration.ofSeconds(60);
    /** How long a stop may take after SIGTERM. */
    public static final Duration STOP_DEADLINE = Duration.ofSeconds(20);

    private static final Pattern LISTENING = Pattern.compile("xspct-db listening on 127\\.0\\.0\\.1:(\\d+)\\R");
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private final Process process;
    private final Path stdout;
    private final Path stderr;
    private final int port;

    private RunningServer(Process process, Path stdout, Path stderr, int port) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
        this.port = port;
    }

    /**
     * Starts {@code bin/xspct-db CONFIG} in the install directory and waits until it listens.
     *
     * @param dist   the installation
     * @param config the configuration file
     * @return the running server
     * @throws AssertionError when the server exits or does not listen within {@link #START_DEADLINE}
     */
    public static RunningServer start(Distribution dist, Path config) {
        return start(List.of(dist.launcher().toString(), config.toString()), dist.home(), Map.of());
    }

    /**
     * Starts any command line that ends up running the server, and waits until it listens.
     *
     * @param command    the command, e.g. {@code [bin/xspct-db, conf/xspct-db.yml]}
     * @param workingDir the working directory
     * @param extraEnv   variables added to the launch environment, e.g. {@code XSPCT_JAVA_OPTS}
     * @return the running server
     * @throws AssertionError when the server exits or does not listen within {@link #START_DEADLINE}
     */
    public static RunningServer start(List<String> command, Path workingDir, Map<String, String> extraEnv) {
        Launch.Started started = Launch.start(command, workingDir, true, extraEnv);
        Process p = started.process();
        Path out = started.stdout();
        Path err = started.stderr();
        long deadline = System.nanoTime() + START_DEADLINE.toNanos();
        while (true) {
            String log = read(out);
            Matcher m = LISTENING.matcher(log);
            if (m.find()) {
                return new RunningServer(p, out, err, Integer.parseInt(m.group(1)));
            }
            if (!p.isAlive()) {
                throw new AssertionError("server exited with " + p.exitValue() + " before listening\nstdout:\n"
                        + log + "\nstderr:\n" + read(err));
            }
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new AssertionError("server did not listen within " + START_DEADLINE + "\nstdout:\n" + log
                        + "\nstderr:\n" + read(err));
            }
            pause();
        }
    }

    /**
     * Runs the launcher with a configuration that is expected not to start, and waits for the process to end.
     *
     * @param dist   the installation
     * @param config the configuration file (need not exist)
     * @return exit code and output
     */
    public static Distribution.Exited runToExit(Distribution dist, Path config) {
        return Distribution.run(List.of(dist.launcher().toString(), config.toString()), dist.home(),
                START_DEADLINE.toSeconds());
    }

    /** {@return the port the server listens on} */
    public int port() {
        return port;
    }

    /** {@return the server process (the JVM itself: the launcher replaces itself with it)} */
    public Process process() {
        return process;
    }

    /** {@return the JVM's command line as the launcher made it, its arguments separated by blanks} */
    public String commandLine() {
        try {
            return Files.readString(Path.of("/proc/" + process.pid() + "/cmdline")).replace('\0', ' ');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The logs of several servers, for a failure message (read only when asked).
     *
     * @param servers the servers
     * @return their logs, each under a header line
     */
    static Supplier<String> logs(Collection<RunningServer> servers) {
        return () -> {
            StringBuilder logs = new StringBuilder();
            servers.forEach(s -> logs.append("\n---- server log\n").append(s.stdout()));
            return logs.toString();
        };
    }

    /** {@return everything the server wrote to standard output so far (its log)} */
    public String stdout() {
        return read(stdout);
    }

    /** {@return everything the server wrote to standard error so far} */
    public String stderr() {
        return read(stderr);
    }

    /**
     * Sends a GET request.
     *
     * @param path    path and query, e.g. {@code /v1/query/a@example.org}
     * @param headers request headers
     * @return the response, body as text
     */
    public HttpResponse<String> get(String path, Map<String, String> headers) {
        return send(request(path, headers).GET());
    }

    /**
     * Sends a POST request with a JSON body.
     *
     * @param path    the path
     * @param json    the body
     * @param headers further request headers
     * @return the response, body as text
     */
    public HttpResponse<String> post(String path, String json, Map<String, String> headers) {
        return send(request(path, headers).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private HttpRequest.Builder request(String path, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30));
        headers.forEach(b::header);
        return b;
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Stops the server with SIGTERM and waits for it to exit.
     *
     * @return the exit code
     * @throws AssertionError when it is still running after {@link #STOP_DEADLINE}
     */
    public int stop() {
        process.destroy(); // SIGTERM; output goes to files, so nothing is lost when our pipe ends close
        try {
            if (!process.waitFor(STOP_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("server still running " + STOP_DEADLINE + " after SIGTERM\nstdout:\n"
                        + stdout());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        return process.exitValue();
    }

    /** Kills the server if it is still running. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(STOP_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(20); // polling interval while waiting for the log line, not a wait for luck
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
