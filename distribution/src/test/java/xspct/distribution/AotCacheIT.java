package xspct.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The AOT cache shipped in {@code lib/} is used by the launcher wherever the release is unpacked, and a cache
 * that cannot be used changes nothing but the startup time: no failure, no warning in the output.
 */
class AotCacheIT {

    @Test
    void cacheIsUsedAfterUnpackingAndADamagedCacheIsIgnoredSilently() throws IOException {
        assumeTrue(!"skip".equals(System.getProperty("xspct.aot")), "built with -Dxspct.aot=skip: no AOT cache");
        Distribution dist = Distribution.unpack("aot");
        Path config = dist.writeConfig("aot.yml", Distribution.TEST_LISTENER);
        List<String> command = List.of(dist.launcher().toString(), config.toString());

        // later -Xlog options override the launcher's aot*=off: make the JVM tell whether it maps the cache
        try (RunningServer server = RunningServer.start(command, dist.home(),
                Map.of("XSPCT_JAVA_OPTS", "-Xlog:aot=info"))) {
            assertTrue(server.stdout().contains("Using AOT-linked classes: true"), server.stdout());
        }

        Files.write(dist.home().resolve("lib/xspct-db.aot"), new byte[64 * 1024]);
        try (RunningServer server = RunningServer.start(dist, config)) {
            assertEquals("Pong", server.get("/ping", Map.of()).body());
            assertEquals(0, server.stop());
            assertEquals("", server.stderr());
            assertFalse(server.stdout().contains("[aot") || server.stdout().contains("[cds"), server.stdout());
            assertFalse(server.stdout().contains("AOT"), server.stdout());
        }
    }
}
