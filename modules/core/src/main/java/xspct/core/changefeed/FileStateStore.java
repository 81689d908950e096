package xspct.core.changefeed;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.regex.Pattern;

import xspct.api.ChangeFeedStateStore;

/**
 * Feed positions in files of one directory ({@code xspct_db_change_feed.state_dir}), written to a temporary
 * file and moved into place so that a crash never leaves half a position.
 */
final class FileStateStore implements ChangeFeedStateStore {
    private static final System.Logger LOG = System.getLogger(FileStateStore.class.getName());
    private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9._-]");
    private final Path dir;

    FileStateStore(Path dir) {
        this.dir = dir;
    }

    @Override
    public Optional<byte[]> load(String name) {
        try {
            return Optional.of(Files.readAllBytes(file(name)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "change feed: cannot read " + file(name) + " (" + e + ")");
            return Optional.empty();
        }
    }

    @Override
    public boolean save(String name, byte[] value) {
        Path target = file(name);
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, target.getFileName().toString(), ".tmp");
            Files.write(tmp, value);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return true;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "change feed: cannot write " + target + " (" + e + ")");
            return false;
        }
    }

    private Path file(String name) {
        // names come from query names: keep them to one safe path segment
        return dir.resolve(UNSAFE.matcher(name).replaceAll("_"));
    }
}
