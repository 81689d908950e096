package xspct.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * Each plugin directory is its own module layer: two plugins bundling different versions of one library module
 * ({@code demo.lib} 1.0 and 2.0) each see their own version.
 */
class PluginIsolationIT {
    private static final Map<String, String> KEY = Map.of("X-Api-Key", "isolation-key");

    @Test
    void twoVersionsOfOneLibraryInTwoPluginsDoNotClash() {
        Distribution dist = Distribution.unpack("isolation");
        installDemoPlugin(dist, "one", "1");
        installDemoPlugin(dist, "two", "2");

        Path config = dist.writeConfig("isolation.yml", Distribution.TEST_LISTENER + """
                xspct_db_api_key: isolation-key
                xspct_db_queries:
                  first:
                    db_type: demo_one
                  second:
                    db_type: demo_two
                """);
        try (RunningServer server = RunningServer.start(dist, config)) {
            HttpResponse<String> one = server.get("/v1/query/x@one.test", KEY);
            assertEquals("{\"users\": {\"x@one.test\": {\"mail\": [\"x@one.test\"], \"lib\": [\"1\"]}}}",
                    one.body());
            HttpResponse<String> two = server.get("/v1/query/x@two.test", KEY);
            assertEquals("{\"users\": {\"x@two.test\": {\"mail\": [\"x@two.test\"], \"lib\": [\"2\"]}}}",
                    two.body());
            assertTrue(server.stdout().contains("plugin demo-one 1.0 loaded"), server.stdout());
            assertTrue(server.stdout().contains("plugin demo-two 2.0 loaded"), server.stdout());
        }
    }

    /**
     * Builds {@code plugins/demo-NAME/}: the library {@code demo.lib} in version {@code VERSION}.0, whose
     * {@code DemoLib.version()} answers {@code VERSION}, and a backend {@code demo_NAME} answering addresses of
     * {@code NAME.test} with the library's answer.
     */
    private static void installDemoPlugin(Distribution dist, String name, String version) {
        Path dir = dist.plugins().resolve("demo-" + name);
        Path lib = PluginBuilder.build(PluginBuilder.writeSources("demo-lib-" + version, Map.of(
                "module-info.java", "module demo.lib { exports demo.lib; }",
                "demo/lib/DemoLib.java", """
                        package demo.lib;
                        public final class DemoLib {
                            public static String version() { return "%s"; }
                        }
                        """.formatted(version))), List.of(), version + ".0", dir.resolve("demo-lib-" + version + ".jar"));
        String pkg = "demo.plugin." + name;
        PluginBuilder.build(PluginBuilder.writeSources("demo-plugin-" + name, Map.of(
                "module-info.java", """
                        module %1$s {
                            requires xspct.api;
                            requires demo.lib;
                            provides xspct.api.BackendProvider with %1$s.Provider;
                        }
                        """.formatted(pkg),
                pkg.replace('.', '/') + "/Provider.java", """
                        package %1$s;

                        import java.util.ArrayList;
                        import java.util.LinkedHashMap;
                        import java.util.List;
                        import java.util.Map;
                        import xspct.api.*;

                        public final class Provider implements BackendProvider {
                            public String apiVersion() { return ApiVersion.CURRENT; }

                            public String dbType() { return "demo_%2$s"; }

                            public Backend create(QueryContext context) {
                                return requests -> {
                                    List<BackendEntry> out = new ArrayList<>();
                                    for (int i = 0; i < requests.size(); i++) {
                                        if (requests.get(i).domain().equals("%2$s.test")) {
                                            Map<String, Object> entry = new LinkedHashMap<>();
                                            entry.put("mail", requests.get(i).address());
                                            entry.put("lib", demo.lib.DemoLib.version());
                                            out.add(new BackendEntry.Found(entry, List.of(i)));
                                        }
                                    }
                                    return BackendResult.of(out);
                                };
                            }
                        }
                        """.formatted(pkg, name))),
                List.of(PluginBuilder.apiJar(), lib), version + ".0", dir.resolve("demo-plugin-" + name + ".jar"));
    }
}
