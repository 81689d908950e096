package xspct.cache.redis;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A redis-server process of the test's own (master, sentinel or cluster node) on a free loopback port, in a
 * temporary directory removed at close.
 */
final class LocalRedisProcess implements AutoCloseable {
    private final List<String> command;
    private final Path dir;
    private final int port;
    private Process process;

    private LocalRedisProcess(List<String> command, Path dir, int port) {
        this.command = command;
        this.dir = dir;
        this.port = port;
    }

    /** The redis-server binary, or a skip (developer machine) / failure (CI=true) when it is missing. */
    static Path binary() {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path p = Path.of(d, "redis-server");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        String msg = "redis-server is not installed (Debian: apt-get install redis-server); it is needed to start "
                + "a Sentinel or a Cluster node for this test";
        if ("true".equals(System.getenv("CI"))) {
            fail(msg);
        }
        System.err.println("SKIPPED: " + msg);
        assumeTrue(false, msg);
        return null;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * Starts redis-server with a generated config file.
     *
     * @param config   config lines besides port, bind and dir
     * @param sentinel true to run in Sentinel mode
     */
    static LocalRedisProcess start(List<String> config, boolean sentinel) throws IOException {
        Path bin = binary();
        int port = freePort();
        Path dir = Files.createTempDirectory("xspct-redis-test");
        List<String> lines = new ArrayList<>(List.of("port " + port, "bind 127.0.0.1", "dir " + dir,
                "save \"\"", "appendonly no", "logfile " + dir.resolve("redis.log")));
        lines.addAll(config);
        Path conf = dir.resolve(sentinel ? "sentinel.conf" : "redis.conf");
        Files.write(conf, lines);
        List<String> cmd = new ArrayList<>(List.of(bin.toString(), conf.toString()));
        if (sentinel) {
            cmd.add("--sentinel");
        }
        LocalRedisProcess r = new LocalRedisProcess(List.copyOf(cmd), dir, port);
        try {
            r.launch();
        } catch (IOException e) {
            r.close();
            throw e;
        }
        return r;
    }

    /** Starts the process and waits until it answers PING. */
    private void launch() throws IOException {
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stdout.log").toFile())).start();
        LocalRedisProcess r = this;
        try {
            if (!RedisTestSupport.eventually(10_000, () -> {
                try (var j = new redis.clients.jedis.Jedis(new redis.clients.jedis.HostAndPort("127.0.0.1", port),
                        redis.clients.jedis.DefaultJedisClientConfig.builder().serverDefaultProtocol().build())) {
                    return "PONG".equals(j.ping());
                } catch (RuntimeException e) {
                    return false;
                }
            })) {
                String log = Files.exists(dir.resolve("redis.log")) ? Files.readString(dir.resolve("redis.log")) : "";
                r.close();
                fail("redis-server on port " + port + " did not start: " + log);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the server (a Redis going away); {@link #restart()} starts it again on the same port. */
    void stop() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts the stopped server again with the same configuration and port (and no data: nothing is saved). */
    void restart() throws IOException {
        launch();
    }

    int port() {
        return port;
    }

    @Override
    public void close() throws IOException {
        if (process != null) {
            stop();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }
}
