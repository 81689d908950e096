package xspct.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A configuration that cannot be used stops the start with exit code 2 and a message naming the problem, and
 * never with a stack trace.
 */
class ConfigErrorsIT {

    static Stream<Arguments> brokenConfigs() {
        return Stream.of(
                Arguments.of("malformed YAML", Distribution.TEST_LISTENER + """
                        xspct_db_queries:
                          people: [unclosed
                        """, List.of("malformed YAML", "line")),
                Arguments.of("port not a number", """
                        xspct_db_listen_address: 127.0.0.1
                        xspct_db_listen_port: abc
                        """, List.of("xspct_db_listen_port", "abc")),
                Arguments.of("missing file", null, List.of("Config file not found", "does-not-exist.yml")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenConfigs")
    void exitsWithCode2AndAClearMessage(String name, String yaml, List<String> expected) {
        Distribution dist = Distribution.shared();
        Path config = yaml == null ? dist.home().resolve("conf/does-not-exist.yml")
                : dist.writeConfig(name.replace(' ', '-') + ".yml", yaml);
        Distribution.Exited run = RunningServer.runToExit(dist, config);
        assertEquals(2, run.exitCode(), run.output());
        for (String e : expected) {
            assertTrue(run.output().contains(e), "message should mention '" + e + "': " + run.output());
        }
        assertFalse(run.output().contains("\tat "), "stack trace: " + run.output());
        assertFalse(run.output().contains("Exception"), "exception name: " + run.output());
        assertFalse(run.output().contains("listening"), run.output());
    }
}
