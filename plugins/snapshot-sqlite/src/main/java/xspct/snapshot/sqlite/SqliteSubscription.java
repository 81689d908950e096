package xspct.snapshot.sqlite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import xspct.api.SnapshotReader;
import xspct.api.SnapshotSubscription;
import xspct.api.SnapshotVersion;

/**
 * The edge side. A refresh downloads the central's newest version into a temporary file, verifies it (signature,
 * size, SHA-256, schema, age), installs it and, unless an operator pinned a version, swaps it in: the serving
 * reference changes atomically and the old version closes when its last lookup is done. Anything refused is logged
 * as one ERROR line and the serving version stays.
 */
final class SqliteSubscription implements SnapshotSubscription {
    private static final System.Logger LOG = System.getLogger(SqliteSubscription.class.getName());
    /** Room left beside a download for SQLite's own temporary files when the file is opened. */
    private static final long SPACE_MARGIN = 64 * 1024;

    private final SubscribeSettings settings;
    private final VersionDirectory directory;
    private final SnapshotFetch fetch;
    private final Clock clock;
    private final int connections;
    private final AtomicReference<OpenSnapshot> serving = new AtomicReference<>();
    private final AtomicBoolean staleReported = new AtomicBoolean();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong swaps = new AtomicLong();
    /** The signed manifest last refused for what it is (not for lack of space): not downloaded again. */
    private volatile byte[] refusedManifest;

    SqliteSubscription(SubscribeSettings settings, VersionDirectory directory, SnapshotFetch fetch, Clock clock,
                       int connections) {
        this.settings = settings;
        this.directory = directory;
        this.fetch = fetch;
        this.clock = clock;
        this.connections = connections;
    }

    @Override
    public boolean primary() {
        return settings.primary();
    }

    @Override
    public Duration interval() {
        return settings.interval();
    }

    @Override
    public synchronized void start() {
        List<VersionDirectory.Stored> all = directory.versions();
        Optional<String> pin = directory.pinned();
        List<VersionDirectory.Stored> candidates = new ArrayList<>(all.reversed());
        pin.flatMap(p -> all.stream().filter(s -> s.version().equals(p)).findFirst()).ifPresent(p -> {
            candidates.remove(p);
            candidates.addFirst(p);
        });
        if (pin.isPresent() && candidates.stream().noneMatch(s -> s.version().equals(pin.get()))) {
            LOG.log(System.Logger.Level.ERROR, "pinned snapshot " + pin.get() + " is no longer in " + directory.path()
                    + "; serving the newest usable version");
        }
        for (VersionDirectory.Stored s : candidates) {
            try {
                swap(openStored(s));
                return;
            } catch (SnapshotRefused e) {
                refuse(e);
            }
        }
        LOG.log(System.Logger.Level.INFO, "no local snapshot in " + directory.path() + " yet");
    }

    @Override
    public synchronized void refresh() {
        Path tmp = null;
        try {
            byte[] signed = fetch.latestManifest();
            if (Arrays.equals(signed, refusedManifest)) {
                return; // refused before, and said so once
            }
            refusedManifest = signed; // until it passes every check below
            Manifest m = Manifest.verify(signed, settings.publicKey());
            List<VersionDirectory.Stored> local = directory.versions();
            if (!local.isEmpty() && m.version().compareTo(local.getLast().version()) <= 0) {
                return; // nothing newer
            }
            checkAge(m);
            long usable = directory.usableSpace();
            if (usable < m.size() + SPACE_MARGIN) {
                throw new SnapshotRefused("snapshot " + m.version() + " needs " + m.size() + " bytes, "
                        + directory.path() + " has " + usable + " usable", true);
            }
            long started = System.nanoTime();
            tmp = directory.temporary("download", m.version());
            try {
                fetch.download(m.version(), tmp, m.size());
            } catch (IOException e) {
                throw new SnapshotRefused("snapshot " + m.version() + " could not be downloaded into "
                        + directory.path() + ": " + e.getMessage(), true);
            }
            verifyFile(tmp, m);
            OpenSnapshot.open(tmp, m, 1).retire(); // schema and version inside the file
            directory.install(tmp, signed, m.version());
            tmp = null;
            refusedManifest = null;
            LOG.log(System.Logger.Level.INFO, "snapshot " + m.version() + " downloaded and verified ("
                    + m.users() + " users, " + m.addresses() + " addresses, " + m.size() + " bytes) in "
                    + (System.nanoTime() - started) / 1_000_000 + " ms");
            if (directory.pinned().isEmpty()) {
                long opening = System.nanoTime();
                OpenSnapshot next = openStored(directory.version(m.version()).orElseThrow());
                LOG.log(System.Logger.Level.INFO, "snapshot " + m.version() + " checked again and opened in "
                        + (System.nanoTime() - opening) / 1_000_000 + " ms");
                swap(next);
            }
            prune();
        } catch (SnapshotRefused e) {
            if (e.worthRetrying()) {
                refusedManifest = null;
            }
            refuse(e);
        } catch (IOException e) {
            refusedManifest = null;
            LOG.log(System.Logger.Level.WARNING, "snapshot check failed: " + e.getMessage()
                    + "; the current version keeps serving");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            refusedManifest = null;
            LOG.log(System.Logger.Level.ERROR, "snapshot refresh failed: " + e);
        } finally {
            if (tmp != null) {
                VersionDirectory.deleteQuietly(tmp);
            }
        }
    }

    private void refuse(SnapshotRefused e) {
        refused.incrementAndGet();
        OpenSnapshot s = serving.get();
        LOG.log(System.Logger.Level.ERROR, "snapshot refused: " + e.getMessage() + "; "
                + (s == null ? "no version serves" : "version " + s.manifest().version() + " keeps serving"));
    }

    private void checkAge(Manifest m) throws SnapshotRefused {
        Duration age = Duration.between(m.created(), clock.instant());
        if (age.compareTo(settings.maxAge()) > 0) {
            throw new SnapshotRefused("snapshot " + m.version() + " is " + age.toSeconds() + " s old, more than "
                    + "max_age " + settings.maxAge().toSeconds() + " s");
        }
    }

    private static void verifyFile(Path file, Manifest m) throws SnapshotRefused, IOException {
        long size = Files.size(file);
        if (size != m.size()) {
            throw new SnapshotRefused("snapshot " + m.version() + " is " + size + " bytes, its manifest says "
                    + m.size() + (size < m.size() ? " (truncated)" : ""));
        }
        String sha = Sha256.of(file);
        if (!sha.equals(m.sha256())) {
            throw new SnapshotRefused("snapshot " + m.version() + " has SHA-256 " + sha + ", its manifest says "
                    + m.sha256());
        }
    }

    /** Opens a stored version after checking it again: a file may have been damaged on disk since. */
    private OpenSnapshot openStored(VersionDirectory.Stored s) throws SnapshotRefused {
        Manifest m = Manifest.verify(s.signed(), settings.publicKey());
        try {
            verifyFile(directory.file(m.version()), m);
        } catch (IOException e) {
            throw new SnapshotRefused("snapshot " + m.version() + " cannot be read: " + e.getMessage());
        }
        return OpenSnapshot.open(directory.file(m.version()), m, connections);
    }

    private void swap(OpenSnapshot next) {
        long t0 = System.nanoTime();
        OpenSnapshot old = serving.getAndSet(next);
        if (old != null) {
            old.retire();
        }
        swaps.incrementAndGet();
        staleReported.set(false);
        LOG.log(System.Logger.Level.INFO, "snapshot " + next.manifest().version() + " serves"
                + (old == null ? "" : " (was " + old.manifest().version() + ")") + ", swapped in "
                + (System.nanoTime() - t0) / 1000 + " µs");
    }

    private void prune() {
        Set<String> protect = new HashSet<>();
        OpenSnapshot s = serving.get();
        if (s != null) {
            protect.add(s.manifest().version());
        }
        directory.pinned().ifPresent(protect::add);
        directory.prune(settings.keep(), protect);
    }

    @Override
    public Optional<SnapshotReader> acquire() {
        while (true) {
            OpenSnapshot s = serving.get();
            if (s == null) {
                return Optional.empty();
            }
            if (Duration.between(s.manifest().created(), clock.instant()).compareTo(settings.maxAge()) > 0) {
                if (staleReported.compareAndSet(false, true)) {
                    LOG.log(System.Logger.Level.WARNING, "snapshot " + s.manifest().version() + " is older than "
                            + "max_age (" + settings.maxAge().toSeconds() + " s): it no longer answers");
                }
                return Optional.empty();
            }
            Optional<SnapshotReader> lease = s.lease();
            if (lease.isPresent()) {
                return lease;
            }
            // retired between get() and lease(): the next one is already in place
        }
    }

    @Override
    public List<SnapshotVersion> versions() {
        OpenSnapshot s = serving.get();
        String current = s == null ? "" : s.manifest().version();
        String pin = directory.pinned().orElse("");
        return directory.versions().stream().map(v -> Versions.view(v.manifest(), v.version().equals(current),
                v.version().equals(pin))).toList();
    }

    @Override
    public synchronized SnapshotVersion rollback() {
        OpenSnapshot s = serving.get();
        List<VersionDirectory.Stored> all = directory.versions();
        List<VersionDirectory.Stored> earlier = s == null ? List.of() : all.stream()
                .filter(v -> v.version().compareTo(s.manifest().version()) < 0).toList();
        for (VersionDirectory.Stored v : earlier.reversed()) {
            try {
                OpenSnapshot next = openStored(v);
                pin(Optional.of(v.version()));
                swap(next);
                LOG.log(System.Logger.Level.WARNING, "snapshot rolled back to " + v.version() + " and pinned");
                return Versions.view(v.manifest(), true, true);
            } catch (SnapshotRefused e) {
                refuse(e);
            }
        }
        throw new IllegalStateException("no earlier usable snapshot version than "
                + (s == null ? "none" : s.manifest().version()));
    }

    @Override
    public synchronized SnapshotVersion follow() {
        pin(Optional.empty());
        for (VersionDirectory.Stored v : directory.versions().reversed()) {
            OpenSnapshot s = serving.get();
            if (s != null && s.manifest().version().equals(v.version())) {
                return Versions.view(v.manifest(), true, false);
            }
            try {
                swap(openStored(v));
                LOG.log(System.Logger.Level.INFO, "snapshot pin removed: following the newest version");
                return Versions.view(v.manifest(), true, false);
            } catch (SnapshotRefused e) {
                refuse(e);
            }
        }
        throw new IllegalStateException("no usable local snapshot version");
    }

    private void pin(Optional<String> version) {
        try {
            directory.pin(version);
        } catch (IOException e) {
            throw new IllegalStateException("the pin cannot be written in " + directory.path() + ": "
                    + e.getMessage());
        }
    }

    @Override
    public Map<String, Number> gauges() {
        OpenSnapshot s = serving.get();
        long age = s == null ? -1 : Duration.between(s.manifest().created(), clock.instant()).toSeconds();
        return Map.of("refused", refused.get(), "swaps", swaps.get(), "age_seconds", age,
                "usable", s != null && age <= settings.maxAge().toSeconds() ? 1 : 0);
    }

    @Override
    public synchronized void close() {
        OpenSnapshot s = serving.getAndSet(null);
        if (s != null) {
            s.retire();
        }
    }
}
