package xspct.distribution;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A real Prometheus (Debian package {@code prometheus}) started by a test on a free loopback port, with its own
 * configuration and storage in a fresh directory; its HTTP API answers are returned as JSON trees.
 */
final class PrometheusServer implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path log;
    private final String base;

    private PrometheusServer(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.base = "http://127.0.0.1:" + port;
    }

    /**
     * Starts Prometheus and waits until it is ready.
     *
     * @param binary the prometheus executable
     * @param config the content of prometheus.yml
     * @return the running server
     */
    static PrometheusServer start(Path binary, String config) {
        try {
            Path dir = Files.createTempDirectory(Distribution.workDir(), "prometheus-");
            Path configFile = Files.writeString(dir.resolve("prometheus.yml"), config);
            // a port found free may be taken before Prometheus binds it: try again with another one
            for (int attempt = 1; ; attempt++) {
                int port;
                try (ServerSocket s = new ServerSocket(0)) {
                    port = s.getLocalPort();
                }
                Path log = dir.resolve("prometheus-" + attempt + ".log");
                Process p = new ProcessBuilder(binary.toString(), "--config.file=" + configFile,
                        "--storage.tsdb.path=" + dir.resolve("data-" + attempt),
                        "--web.listen-address=127.0.0.1:" + port, "--log.level=warn")
                        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
                PrometheusServer server = new PrometheusServer(p, log, port);
                Await.until("Prometheus ready on port " + port, Duration.ofSeconds(60),
                        () -> !p.isAlive() || server.ready(), server::log);
                if (p.isAlive()) {
                    return server;
                }
                if (attempt == 3) {
                    throw new AssertionError("prometheus exited with " + p.exitValue() + ":\n" + server.log());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private boolean ready() {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(base + "/-/ready")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** {@return Prometheus' own log, for failure messages} */
    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /**
     * Evaluates an instant query ({@code POST /api/v1/query}).
     *
     * @param expr the PromQL expression
     * @return the whole answer: {@code status}, {@code data} or {@code error}, {@code warnings}
     */
    JsonNode query(String expr) {
        String form = "query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8);
        return call(HttpRequest.newBuilder(URI.create(base + "/api/v1/query"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build());
    }

    /** {@return the rule groups ({@code GET /api/v1/rules}), {@code data.groups}} */
    List<JsonNode> ruleGroups() {
        JsonNode answer = call(HttpRequest.newBuilder(URI.create(base + "/api/v1/rules")).build());
        List<JsonNode> groups = new java.util.ArrayList<>();
        answer.path("data").path("groups").elements().forEachRemaining(groups::add);
        return groups;
    }

    private JsonNode call(HttpRequest request) {
        try {
            HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
