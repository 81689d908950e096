package xspct.distribution;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;

/**
 * What a test needs from the machine (tools, services, root): missing, the test is skipped with a message on a
 * developer machine and fails under {@code CI=true}, where {@code .ci/run} provides it.
 */
final class Requirement {
    private Requirement() {
    }

    /**
     * Requires a condition.
     *
     * @param condition the condition
     * @param message   what is missing and how to get it
     */
    static void require(boolean condition, String message) {
        if (condition) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            fail(message);
        }
        System.err.println("SKIPPED: " + message);
        Assumptions.abort(message);
    }

    /**
     * Requires an executable.
     *
     * @param path          the tool, e.g. {@code /usr/bin/promtool}
     * @param debianPackage the Debian package that installs it
     * @return the path
     */
    static Path tool(String path, String debianPackage) {
        Path p = Path.of(path);
        require(Files.isExecutable(p), path + " is missing (Debian package " + debianPackage
                + "; .ci/run installs it)");
        return p;
    }

    /**
     * Requires a TCP service on the loopback interface.
     *
     * @param port the port
     * @param name the service, for the message
     */
    static void service(int port, String name) {
        String why = null;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        } catch (IOException e) {
            why = e.toString();
        }
        require(why == null, name + " at 127.0.0.1:" + port + " is not reachable (" + why + ")");
    }
}
