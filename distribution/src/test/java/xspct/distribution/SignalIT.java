package xspct.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The launcher replaces itself with the JVM, so a service manager's SIGTERM reaches the server, which stops
 * cleanly: exit code 0, the stop line in the log.
 */
class SignalIT {

    @Test
    void sigtermStopsPromptlyWithExitCode0() {
        Distribution dist = Distribution.shared();
        Path config = dist.writeConfig("signal.yml", Distribution.TEST_LISTENER);
        try (RunningServer server = RunningServer.start(dist, config)) {
            String command = server.process().info().command().orElse("");
            assertTrue(command.endsWith("runtime/bin/java"), "the launcher should exec the bundled java: "
                    + command);
            assertEquals(200, server.get("/ping", Map.of()).statusCode());

            long t0 = System.nanoTime();
            int exit = server.stop();
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertEquals(0, exit, server.stdout() + server.stderr());
            assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, "stop took " + took);
            assertTrue(server.stdout().contains("xspct-db stopped"), server.stdout());
            assertEquals("", server.stderr());
        }
    }
}
