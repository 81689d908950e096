package xspct.snapshot.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.lang.System.Logger.Level;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xspct.api.testing.CapturedLog;
import xspct.api.SnapshotReader;

/**
 * A full disk, simulated by an edge directory on a tmpfs too small for the next version: the download is refused
 * and the old version keeps serving. Needs root (mount); under CI=true a failing mount fails the test.
 */
class DiskFullTest {
    @TempDir
    Path centralDir;
    @TempDir
    Path mountPoint;

    private boolean mounted;

    @BeforeEach
    void mountSmallFileSystem() throws Exception {
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=160k", "tmpfs", mountPoint.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        mounted = p.waitFor() == 0;
        if (!mounted && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("cannot mount a tmpfs for the disk-full test: " + out);
        }
        assumeTrue(mounted, "cannot mount a tmpfs (needs root): " + out);
    }

    @AfterEach
    void unmount() throws Exception {
        if (mounted) {
            new ProcessBuilder("umount", mountPoint.toString()).inheritIO().start().waitFor();
        }
    }

    @Test
    void aVersionThatDoesNotFitIsRefusedAndTheOldOneKeepsServing() throws Exception {
        Fixtures.TestClock clock = new Fixtures.TestClock(Instant.parse("2026-12-01T12:00:00Z"));
        KeyPair keys = Fixtures.keyPair();
        VersionDirectory central = new VersionDirectory(centralDir);
        SqlitePublisher publisher = new SqlitePublisher(Fixtures.publishSettings(centralDir, keys, 5), central,
                clock);
        Fixtures.DirectoryFetch fetch = new Fixtures.DirectoryFetch(central);
        Path edgeDir = mountPoint.resolve("snapshots");
        try (SqliteSubscription edge = new SqliteSubscription(Fixtures.subscribeSettings(edgeDir, keys, 3,
                Duration.ofDays(1)), new VersionDirectory(edgeDir), fetch, clock, 2)) {
            String small = publisher.publish(Fixtures.content(1, "a@example.org")).version();
            edge.refresh();
            clock.advance(Duration.ofSeconds(1));
            String[] many = IntStream.range(0, 5000).mapToObj(i -> "user" + i + "@example.org")
                    .toArray(String[]::new);
            String big = publisher.publish(Fixtures.content(2, many)).version();
            assertTrue(Files.size(central.file(big)) > 160 * 1024, "the new version is larger than the disk");
            try (CapturedLog log = CapturedLog.of("xspct.snapshot.sqlite")) {
                edge.refresh();
                List<String> errors = log.messages(Level.ERROR);
                assertEquals(1, errors.size(), errors.toString());
                assertTrue(errors.get(0).contains("usable"), errors.get(0));
            }
            try (SnapshotReader r = edge.acquire().orElseThrow()) {
                assertEquals(small, r.version());
                assertTrue(r.address("a@example.org").isPresent());
            }
            try (var files = Files.list(edgeDir)) {
                assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(".")));
            }
        }
    }
}
