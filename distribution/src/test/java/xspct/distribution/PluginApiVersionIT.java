package xspct.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import xspct.api.ApiVersion;

/**
 * A plugin built against a plugin API this core cannot serve (another major version, or a newer minor version) is
 * refused when it is loaded, with a message naming both versions; the server does not start.
 */
class PluginApiVersionIT {

    static Stream<Arguments> incompatibleVersions() {
        return Stream.of(
                Arguments.of((ApiVersion.MAJOR + 1) + ".0", "another major version is incompatible"),
                Arguments.of(ApiVersion.MAJOR + "." + (ApiVersion.MINOR + 1), "provides only API"),
                Arguments.of(null, "another major version is incompatible"));
    }

    @ParameterizedTest(name = "plugin built against API {0}")
    @MethodSource("incompatibleVersions")
    void aPluginBuiltAgainstAnIncompatibleApiIsRefusedWithBothVersions(String declared, String reason) {
        String purpose = "api-" + (declared == null ? "undeclared" : declared.replace('.', '-'));
        Distribution dist = Distribution.unpack(purpose);
        installPlugin(dist, declared);
        Path config = dist.writeConfig("future.yml", Distribution.TEST_LISTENER + """
                xspct_db_api_key: future-key
                xspct_db_queries:
                  users:
                    db_type: future
                """);
        Distribution.Exited run = RunningServer.runToExit(dist, config);
        assertEquals(2, run.exitCode(), run.output());
        assertTrue(run.output().contains("plugin 'future': demo.future.Provider was built against plugin API "
                + (declared == null ? "1.0" : declared) + ", but this xspct-db provides"), run.output());
        assertTrue(run.output().contains("API " + ApiVersion.CURRENT), run.output());
        assertTrue(run.output().contains(reason), run.output());
        assertFalse(run.output().contains("\tat "), "stack trace: " + run.output());
        assertFalse(run.output().contains("listening"), run.output());
    }

    /**
     * {@code plugins/future/}: a backend {@code future} whose provider declares the given API version (null: declares
     * none, as a plugin built before providers did).
     */
    private static void installPlugin(Distribution dist, String declared) {
        PluginBuilder.build(PluginBuilder.writeSources("future-plugin", Map.of(
                "module-info.java", """
                        module demo.future {
                            requires xspct.api;
                            provides xspct.api.BackendProvider with demo.future.Provider;
                        }
                        """,
                "demo/future/Provider.java", """
                        package demo.future;

                        import java.util.List;
                        import xspct.api.*;

                        public final class Provider implements BackendProvider {
                            %s

                            public String dbType() { return "future"; }

                            public Backend create(QueryContext context) {
                                return requests -> BackendResult.of(List.of());
                            }
                        }
                        """.formatted(declared == null ? ""
                                : "public String apiVersion() { return \"" + declared + "\"; }"))),
                List.of(PluginBuilder.apiJar()), "1.0", dist.plugins().resolve("future/demo-future.jar"));
    }
}
