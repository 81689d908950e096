package xspct.snapshot.sqlite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

import xspct.api.SnapshotContent;

/** Keys, a publisher, content and a fetch that serves the publisher's directory, for the snapshot tests. */
final class Fixtures {
    private Fixtures() {
    }

    static KeyPair keyPair() throws GeneralSecurityException {
        return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    }

    static Path writePem(Path file, String type, byte[] der) throws IOException {
        String b64 = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der);
        Files.writeString(file, "-----BEGIN " + type + "-----\n" + b64 + "\n-----END " + type + "-----\n");
        return file;
    }

    /** A clock the test moves. */
    static final class TestClock extends Clock {
        private Instant now;

        TestClock(Instant start) {
            this.now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    /** Content with one user per address, {@code {"mail": address, "n": generation}}, and one wildcard domain. */
    static SnapshotContent content(int generation, String... addresses) {
        return (exclude, sink) -> {
            for (String a : addresses) {
                Map<String, String> user = new LinkedHashMap<>();
                user.put("mail", a);
                user.put("n", Integer.toString(generation));
                user.put("secret", "s3cret");
                user.keySet().removeAll(exclude);
                StringBuilder json = new StringBuilder("{");
                user.forEach((k, v) -> json.append(json.length() > 1 ? ", " : "").append('"').append(k)
                        .append("\": \"").append(v).append('"'));
                sink.user(a, json.append('}').toString());
                sink.address(a, a);
            }
            sink.user("@example.org", "{\"mail\": \"catchall\"}");
            sink.wildcard("example.org", "@example.org", "@example.org");
            return new SnapshotContent.Description("fp" + generation, "test");
        };
    }

    static PublishSettings publishSettings(Path dir, KeyPair keys, int keep) {
        return new PublishSettings(true, Duration.ofMinutes(5), dir, keep, keys.getPrivate(), Set.of("secret"));
    }

    static SubscribeSettings subscribeSettings(Path dir, KeyPair keys, int keep, Duration maxAge) {
        return new SubscribeSettings(true, java.net.URI.create("http://127.0.0.1:1"), "k", "X-Api-Key",
                Duration.ofMinutes(1), maxAge, dir, keep, keys.getPublic(), true, ClientTls.NONE);
    }

    /**
     * Serves the newest version of a publisher's directory, optionally altering the manifest or the file on the
     * way, as a network or a bad central could.
     */
    static final class DirectoryFetch implements SnapshotFetch {
        private final VersionDirectory central;
        UnaryOperator<byte[]> manifestFilter = UnaryOperator.identity();
        UnaryOperator<byte[]> fileFilter = UnaryOperator.identity();
        int downloads;

        DirectoryFetch(VersionDirectory central) {
            this.central = central;
        }

        @Override
        public byte[] latestManifest() throws IOException {
            var all = central.versions();
            if (all.isEmpty()) {
                throw new IOException("nothing published");
            }
            return manifestFilter.apply(all.getLast().signed());
        }

        @Override
        public void download(String version, Path target, long maxSize) throws IOException {
            downloads++;
            byte[] data = fileFilter.apply(Files.readAllBytes(central.file(version)));
            Files.write(target, data.length > maxSize + 1 ? java.util.Arrays.copyOf(data, (int) maxSize + 1)
                    : data);
        }
    }
}
