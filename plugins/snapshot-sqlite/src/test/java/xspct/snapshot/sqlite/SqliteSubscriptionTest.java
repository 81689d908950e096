package xspct.snapshot.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.lang.System.Logger.Level;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import xspct.api.testing.CapturedLog;
import xspct.api.SnapshotReader;
import xspct.api.SnapshotVersion;

class SqliteSubscriptionTest {
    @TempDir
    Path centralDir;
    @TempDir
    Path edgeDir;

    private final Fixtures.TestClock clock = new Fixtures.TestClock(Instant.parse("2026-12-01T12:00:00Z"));
    private KeyPair keys;
    private SqlitePublisher central;
    private Fixtures.DirectoryFetch fetch;
    private SqliteSubscription edge;

    @BeforeEach
    void setUp() throws Exception {
        keys = Fixtures.keyPair();
        VersionDirectory centralVersions = new VersionDirectory(centralDir);
        central = new SqlitePublisher(Fixtures.publishSettings(centralDir, keys, 5), centralVersions, clock);
        fetch = new Fixtures.DirectoryFetch(centralVersions);
        edge = edge(edgeDir, Duration.ofDays(1));
    }

    @AfterEach
    void tearDown() {
        edge.close();
    }

    private SqliteSubscription edge(Path dir, Duration maxAge) throws Exception {
        return new SqliteSubscription(Fixtures.subscribeSettings(dir, keys, 3, maxAge), new VersionDirectory(dir),
                fetch, clock, 2);
    }

    private String publish(int generation) throws Exception {
        clock.advance(Duration.ofSeconds(1));
        return central.publish(Fixtures.content(generation, "a@example.org", "b@example.org")).version();
    }

    private Optional<String> servingVersion() {
        return edge.acquire().map(r -> {
            try (r) {
                return r.version();
            }
        });
    }

    /** The generation of a@example.org's answer in the serving version. */
    private String generation() {
        try (SnapshotReader r = edge.acquire().orElseThrow()) {
            String json = r.address("a@example.org").orElseThrow().json();
            return json.substring(json.indexOf("\"n\": \"") + 6, json.lastIndexOf('"'));
        }
    }

    @Test
    void aPublishedVersionIsDownloadedVerifiedAndServed() throws Exception {
        edge.start();
        assertTrue(edge.acquire().isEmpty(), "nothing before the first download");
        String v = publish(1);
        edge.refresh();
        try (SnapshotReader r = edge.acquire().orElseThrow()) {
            assertEquals(v, r.version());
            SnapshotReader.Entry a = r.address("a@example.org").orElseThrow();
            assertEquals("a@example.org", a.primaryKey());
            assertEquals("{\"mail\": \"a@example.org\", \"n\": \"1\"}", a.json());
            assertTrue(r.address("nobody@example.org").isEmpty());
            SnapshotReader.Entry w = r.wildcard("example.org").orElseThrow();
            assertEquals("@example.org", w.key());
            assertEquals("{\"mail\": \"catchall\"}", w.json());
        }
        edge.refresh();
        assertEquals(1, fetch.downloads, "an unchanged version is not downloaded again");
    }

    @Test
    void aLookupInFlightFinishesOnTheOldVersionAfterASwap() throws Exception {
        publish(1);
        edge.refresh();
        SnapshotReader old = edge.acquire().orElseThrow();
        publish(2);
        edge.refresh();
        assertEquals("2", generation());
        assertEquals("{\"mail\": \"a@example.org\", \"n\": \"1\"}", old.address("a@example.org").orElseThrow()
                .json(), "the lease still reads the version it started on");
        old.close();
    }

    /** How a download can go wrong. */
    enum Damage {
        FLIPPED_BYTE(f -> f.fileFilter = b -> {
            byte[] c = b.clone();
            c[c.length / 2] ^= 1;
            return c;
        }, "SHA-256"),
        TRUNCATED(f -> f.fileFilter = b -> Arrays.copyOf(b, b.length - 100), "truncated"),
        TOO_LONG(f -> f.fileFilter = b -> Arrays.copyOf(b, b.length + 10), "bytes"),
        SIGNED_BY_ANOTHER_KEY(f -> f.manifestFilter = m -> resign(m), "signature"),
        UNSIGNED(f -> f.manifestFilter = m -> {
            String s = new String(m, StandardCharsets.UTF_8);
            return s.substring(0, s.indexOf("signature=")).getBytes(StandardCharsets.UTF_8);
        }, "not a signed");

        final Consumer<Fixtures.DirectoryFetch> apply;
        final String reason;

        Damage(Consumer<Fixtures.DirectoryFetch> apply, String reason) {
            this.apply = apply;
            this.reason = reason;
        }

        private static byte[] resign(byte[] signed) {
            try {
                return Manifest.parseSigned(signed).sign(Stranger.KEYS.getPrivate());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Another central's keys, made once. */
    private static final class Stranger {
        static final KeyPair KEYS;

        static {
            try {
                KEYS = Fixtures.keyPair();
            } catch (java.security.GeneralSecurityException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Damage.class)
    void aDamagedSnapshotIsRefusedWithOneErrorAndThePreviousKeepsServing(Damage damage) throws Exception {
        String good = publish(1);
        edge.refresh();
        publish(2);
        damage.apply.accept(fetch);
        try (CapturedLog log = CapturedLog.of("xspct.snapshot.sqlite")) {
            edge.refresh();
            List<String> errors = log.messages(Level.ERROR);
            assertEquals(1, errors.size(), errors.toString());
            assertTrue(errors.get(0).contains(damage.reason), errors.get(0));
            assertTrue(errors.get(0).contains(good + " keeps serving"), errors.get(0));
        }
        int downloads = fetch.downloads;
        try (CapturedLog log = CapturedLog.of("xspct.snapshot.sqlite")) {
            edge.refresh();
            assertEquals(List.of(), log.messages(Level.ERROR), "a refused version is refused once");
        }
        assertEquals(downloads, fetch.downloads, "and not downloaded again");
        assertEquals(Optional.of(good), servingVersion());
        assertEquals("1", generation());
        assertEquals(1, edge.versions().size(), "the refused version is not stored");
        try (var files = Files.list(edgeDir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(".")), "no temporary file left");
        }
    }

    @Test
    void aSnapshotOlderThanMaxAgeIsRefused() throws Exception {
        String good = publish(1);
        edge.refresh();
        publish(2);
        clock.advance(Duration.ofHours(23)); // the serving one is 23 h old, the new one too
        edge.close();
        edge = edge(edgeDir, Duration.ofHours(1));
        edge.start();
        try (CapturedLog log = CapturedLog.of("xspct.snapshot.sqlite")) {
            edge.refresh();
            assertEquals(1, log.messages(Level.ERROR).size());
            assertTrue(log.messages(Level.ERROR).get(0).contains("max_age"), log.messages(Level.ERROR).toString());
        }
        assertEquals(List.of(good), edge.versions().stream().map(SnapshotVersion::version).toList());
    }

    @Test
    void aVersionOlderThanMaxAgeStopsAnsweringWithOneWarning() throws Exception {
        edge.close();
        edge = edge(edgeDir, Duration.ofHours(1));
        publish(1);
        edge.refresh();
        assertTrue(edge.acquire().isPresent());
        clock.advance(Duration.ofHours(2));
        try (CapturedLog log = CapturedLog.of("xspct.snapshot.sqlite")) {
            assertTrue(edge.acquire().isEmpty());
            assertTrue(edge.acquire().isEmpty());
            assertEquals(1, log.messages(Level.WARNING).size(), log.messages(Level.WARNING).toString());
        }
        publish(2);
        edge.refresh();
        assertEquals("2", generation(), "a fresh version answers again");
    }

    @Test
    void rollbackGoesOneFurtherBackEachTimeAndFollowReturnsToTheNewest() throws Exception {
        String v1 = publish(1);
        edge.refresh();
        String v2 = publish(2);
        edge.refresh();
        String v3 = publish(3);
        edge.refresh();
        assertEquals(v2, edge.rollback().version());
        assertEquals("2", generation());
        assertEquals(v1, edge.rollback().version());
        assertEquals("1", generation());
        assertThrows(IllegalStateException.class, edge::rollback);
        assertEquals(Optional.of(v1), servingVersion());

        String v4 = publish(4);
        edge.refresh();
        assertEquals("1", generation(), "a pinned edge downloads but does not swap");
        assertTrue(edge.versions().stream().anyMatch(v -> v.version().equals(v4)));
        assertTrue(edge.versions().stream().anyMatch(v -> v.version().equals(v1) && v.pinned() && v.serving()),
                "keep never drops the pinned version: " + edge.versions());

        assertEquals(v4, edge.follow().version());
        assertEquals("4", generation());
        assertTrue(edge.versions().stream().noneMatch(SnapshotVersion::pinned));
        assertFalse(v3.isEmpty());
    }

    @Test
    void aPinSurvivesARestart() throws Exception {
        String v1 = publish(1);
        edge.refresh();
        publish(2);
        edge.refresh();
        assertEquals(v1, edge.rollback().version());
        edge.close();

        edge = edge(edgeDir, Duration.ofDays(1));
        edge.start();
        assertEquals(Optional.of(v1), servingVersion());
        String v3 = publish(3);
        edge.refresh();
        assertEquals(Optional.of(v1), servingVersion());
        edge.follow();
        assertEquals(Optional.of(v3), servingVersion());
        edge.close();

        edge = edge(edgeDir, Duration.ofDays(1));
        edge.start();
        assertEquals(Optional.of(v3), servingVersion(), "follow survives a restart too");
    }

    @Test
    void aVersionDamagedOnDiskIsSkippedAtStart() throws Exception {
        String v1 = publish(1);
        edge.refresh();
        String v2 = publish(2);
        edge.refresh();
        edge.close();
        Path f = edgeDir.resolve(v2 + ".sqlite");
        byte[] b = Files.readAllBytes(f);
        b[b.length / 2] ^= 1;
        Files.write(f, b);
        edge = edge(edgeDir, Duration.ofDays(1));
        try (CapturedLog log = CapturedLog.of("xspct.snapshot.sqlite")) {
            edge.start();
            assertEquals(1, log.messages(Level.ERROR).size(), log.messages(Level.ERROR).toString());
        }
        assertEquals(Optional.of(v1), servingVersion());
    }

    @Test
    void theEdgeKeepsItsNewestVersions() throws Exception {
        for (int g = 1; g <= 5; g++) {
            publish(g);
            edge.refresh();
        }
        assertEquals(3, edge.versions().size());
        assertTrue(edge.versions().getLast().serving());
    }
}
