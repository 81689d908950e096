package xspct.snapshot.sqlite;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The local directory of snapshot versions: {@code <version>.sqlite} with its signed {@code <version>.manifest}
 * (written last, so a version without its manifest was never complete), the operator's pin in {@code pinned}, and
 * temporary files starting with a dot while a version is being built or downloaded.
 */
final class VersionDirectory {
    private static final System.Logger LOG = System.getLogger(VersionDirectory.class.getName());
    private static final String FILE = ".sqlite";
    private static final String MANIFEST = ".manifest";
    private static final String PIN = "pinned";

    private final Path dir;

    /**
     * Uses a directory, creating it when needed and removing temporary files left by an interrupted run.
     *
     * @param dir the directory
     * @throws IOException when it cannot be created or listed
     */
    VersionDirectory(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, ".*.tmp")) {
            for (Path p : s) {
                Files.deleteIfExists(p);
            }
        }
    }

    Path path() {
        return dir;
    }

    /** A stored version: its manifest as signed and as parsed. */
    record Stored(Manifest manifest, byte[] signed) {
        String version() {
            return manifest.version();
        }
    }

    /** {@return the complete versions, oldest first; unreadable manifests are skipped with a warning} */
    List<Stored> versions() {
        List<Stored> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*" + MANIFEST)) {
            for (Path m : s) {
                String name = m.getFileName().toString();
                String version = name.substring(0, name.length() - MANIFEST.length());
                if (!Manifest.VERSION_PATTERN.matcher(version).matches() || !Files.exists(file(version))) {
                    continue;
                }
                try {
                    byte[] signed = Files.readAllBytes(m);
                    out.add(new Stored(Manifest.parseSigned(signed), signed));
                } catch (IOException | SnapshotRefused e) {
                    LOG.log(System.Logger.Level.WARNING, "snapshot manifest " + m + " is unreadable: "
                            + e.getMessage());
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "snapshot directory " + dir + " cannot be listed: " + e.getMessage());
        }
        out.sort(Comparator.comparing(Stored::version));
        return out;
    }

    Optional<Stored> version(String version) {
        return versions().stream().filter(s -> s.version().equals(version)).findFirst();
    }

    Path file(String version) {
        return dir.resolve(version + FILE);
    }

    /** {@return a fresh temporary path in the directory (same file system, so the final move is atomic)} */
    Path temporary(String purpose, String version) {
        return dir.resolve("." + purpose + "-" + version + ".tmp");
    }

    /**
     * Makes a finished file a stored version: the file first, then its manifest, each by an atomic rename.
     *
     * @param temporary the finished file, in this directory
     * @param manifest  its signed manifest
     * @param version   the version
     * @throws IOException when writing fails (the temporary files are removed)
     */
    void install(Path temporary, byte[] manifest, String version) throws IOException {
        Path tmpManifest = temporary("manifest", version);
        try {
            Files.write(tmpManifest, manifest);
            move(temporary, file(version));
            move(tmpManifest, dir.resolve(version + MANIFEST));
        } catch (IOException e) {
            Files.deleteIfExists(tmpManifest);
            Files.deleteIfExists(temporary);
            throw e;
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Removes the oldest versions beyond {@code keep}, never one of {@code protect}.
     *
     * @param keep    how many versions to keep
     * @param protect versions in use (serving, pinned)
     */
    void prune(int keep, Set<String> protect) {
        List<Stored> all = versions();
        int excess = all.size() - keep;
        for (Stored s : all) {
            if (excess <= 0) {
                return;
            }
            if (protect.contains(s.version())) {
                continue;
            }
            try {
                // manifest first: a file without manifest is ignored by listings
                Files.deleteIfExists(dir.resolve(s.version() + MANIFEST));
                Files.deleteIfExists(file(s.version()));
                excess--;
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "removing snapshot " + s.version() + " failed: "
                        + e.getMessage());
            }
        }
    }

    /** {@return the pinned version, if an operator pinned one} */
    Optional<String> pinned() {
        try {
            String v = Files.readString(dir.resolve(PIN), StandardCharsets.UTF_8).strip();
            return Manifest.VERSION_PATTERN.matcher(v).matches() ? Optional.of(v) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "the snapshot pin cannot be read: " + e.getMessage());
            return Optional.empty();
        }
    }

    /** Persists a pin (or, with empty, removes it) so that it survives a restart. */
    void pin(Optional<String> version) throws IOException {
        if (version.isEmpty()) {
            Files.deleteIfExists(dir.resolve(PIN));
            return;
        }
        Path tmp = temporary("pin", version.get());
        Files.writeString(tmp, version.get() + "\n", StandardCharsets.UTF_8);
        move(tmp, dir.resolve(PIN));
    }

    /** {@return the usable bytes of the directory's file system} */
    long usableSpace() throws IOException {
        return Files.getFileStore(dir).getUsableSpace();
    }

    /** Removes files that were not installed. */
    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "removing " + p + " failed: " + e.getMessage());
        }
    }

}
