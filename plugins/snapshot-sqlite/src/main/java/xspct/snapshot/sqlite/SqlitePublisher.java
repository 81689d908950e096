package xspct.snapshot.sqlite;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import xspct.api.SnapshotContent;
import xspct.api.SnapshotPublisher;
import xspct.api.SnapshotVersion;

/**
 * The central side: each build writes a new SQLite file beside the stored versions, signs its manifest, installs
 * both by atomic renames and drops the oldest versions beyond {@code keep}. A failed build leaves no trace.
 */
final class SqlitePublisher implements SnapshotPublisher {
    private static final System.Logger LOG = System.getLogger(SqlitePublisher.class.getName());

    private final PublishSettings settings;
    private final VersionDirectory directory;
    private final Clock clock;

    SqlitePublisher(PublishSettings settings, VersionDirectory directory, Clock clock) {
        this.settings = settings;
        this.directory = directory;
        this.clock = clock;
    }

    @Override
    public Duration interval() {
        return settings.interval();
    }

    @Override
    public synchronized SnapshotVersion publish(SnapshotContent content) throws Exception {
        long started = System.nanoTime();
        Instant created = clock.instant();
        List<VersionDirectory.Stored> stored = directory.versions();
        String version = Versions.next(created, stored.isEmpty() ? null : stored.getLast().version());
        Path tmp = directory.temporary("build", version);
        try {
            SnapshotContent.Description description;
            SnapshotWriter.Counts counts;
            try (SnapshotWriter writer = new SnapshotWriter(tmp, version, created)) {
                description = content.write(settings.excludeAttributes(), writer);
                counts = writer.finish();
            }
            Manifest m = new Manifest(version, created, SnapshotSchema.VERSION, counts.users(), counts.addresses(),
                    counts.wildcards(), Files.size(tmp), Sha256.of(tmp), description.configFingerprint(),
                    description.filter());
            directory.install(tmp, m.sign(settings.signingKey()), version);
            directory.prune(settings.keep(), Set.of(version));
            LOG.log(System.Logger.Level.INFO, "snapshot " + version + " published: " + m.users() + " users, "
                    + m.addresses() + " addresses, " + m.wildcards() + " wildcard domains, " + m.size() + " bytes in "
                    + (System.nanoTime() - started) / 1_000_000 + " ms");
            return Versions.view(m, true, false);
        } finally {
            VersionDirectory.deleteQuietly(tmp);
        }
    }

    @Override
    public List<SnapshotVersion> versions() {
        List<VersionDirectory.Stored> all = directory.versions();
        return all.stream().map(s -> Versions.view(s.manifest(), s == all.getLast(), false)).toList();
    }

    @Override
    public Optional<byte[]> latestManifest() {
        List<VersionDirectory.Stored> all = directory.versions();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.getLast().signed());
    }

    @Override
    public Optional<byte[]> manifest(String version) {
        return directory.version(version).map(VersionDirectory.Stored::signed);
    }

    @Override
    public Optional<Path> file(String version) {
        return directory.version(version).map(s -> directory.file(s.version()));
    }

    /** {@return the directory, for tests} */
    VersionDirectory directory() {
        return directory;
    }

}
