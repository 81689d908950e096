package xspct.snapshot.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;
import xspct.api.SnapshotVersion;

class SqlitePublisherTest {
    @TempDir
    Path dir;

    private final Fixtures.TestClock clock = new Fixtures.TestClock(Instant.parse("2026-12-01T12:00:00Z"));

    private SqlitePublisher publisher(KeyPair keys, int keep) throws Exception {
        return new SqlitePublisher(Fixtures.publishSettings(dir, keys, keep), new VersionDirectory(dir), clock);
    }

    @Test
    void aBuildIsStoredWithASignedManifestThatDescribesTheFile() throws Exception {
        KeyPair keys = Fixtures.keyPair();
        SnapshotVersion v = publisher(keys, 5).publish(Fixtures.content(1, "a@example.org", "b@example.org"));
        Path file = dir.resolve(v.version() + ".sqlite");
        Manifest m = Manifest.verify(Files.readAllBytes(dir.resolve(v.version() + ".manifest")), keys.getPublic());
        assertEquals(Files.size(file), m.size());
        assertEquals(Sha256.of(file), m.sha256());
        assertEquals(3, m.users());
        assertEquals(2, m.addresses());
        assertEquals(1, m.wildcards());
        assertEquals("fp1", m.configFingerprint());
        assertEquals(clock.instant(), m.created());
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(".")), "no temporary file left");
        }
    }

    @Test
    void excludedAttributesAreNotInTheFile() throws Exception {
        SnapshotVersion v = publisher(Fixtures.keyPair(), 5).publish(Fixtures.content(1, "a@example.org"));
        try (Connection c = new SQLiteConfig().createConnection("jdbc:sqlite:" + dir.resolve(v.version()
                + ".sqlite")); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT answer FROM users WHERE primary_key = 'a@example.org'")) {
            assertTrue(r.next());
            assertEquals("{\"mail\": \"a@example.org\", \"n\": \"1\"}", r.getString(1));
            assertFalse(r.getString(1).contains("s3cret"));
        }
    }

    @Test
    void onlyTheNewestKeepVersionsStay() throws Exception {
        SqlitePublisher p = publisher(Fixtures.keyPair(), 2);
        String first = p.publish(Fixtures.content(1, "a@example.org")).version();
        clock.advance(Duration.ofSeconds(1));
        String second = p.publish(Fixtures.content(2, "a@example.org")).version();
        clock.advance(Duration.ofSeconds(1));
        String third = p.publish(Fixtures.content(3, "a@example.org")).version();
        assertEquals(List.of(second, third), p.versions().stream().map(SnapshotVersion::version).toList());
        assertFalse(Files.exists(dir.resolve(first + ".sqlite")));
        assertTrue(p.versions().getLast().serving());
    }

    @Test
    void versionsBuiltWithinOneMillisecondStillSortInBuildOrder() throws Exception {
        SqlitePublisher p = publisher(Fixtures.keyPair(), 5);
        String a = p.publish(Fixtures.content(1, "a@example.org")).version();
        String b = p.publish(Fixtures.content(2, "a@example.org")).version();
        assertTrue(b.compareTo(a) > 0, a + " < " + b);
        assertEquals(b, Manifest.parseSigned(p.latestManifest().orElseThrow()).version());
    }

    @Test
    void aFailedBuildLeavesTheStoredVersionsAlone() throws Exception {
        SqlitePublisher p = publisher(Fixtures.keyPair(), 5);
        String good = p.publish(Fixtures.content(1, "a@example.org")).version();
        clock.advance(Duration.ofSeconds(1));
        assertThrows(IllegalStateException.class, () -> p.publish((exclude, sink) -> {
            sink.user("x", "{}");
            throw new IllegalStateException("LDAP connection error");
        }));
        assertEquals(List.of(good), p.versions().stream().map(SnapshotVersion::version).toList());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(2, files.count(), "file and manifest only");
        }
    }
}
