package xspct.snapshot.sqlite;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

import org.sqlite.SQLiteConfig;
import xspct.api.SnapshotReader;

/**
 * A verified snapshot file opened read-only, with a few connections that lookups borrow. Reference counted: the
 * subscription holds one reference while the version serves and each lookup holds one through its lease, so a swap
 * retires the old version and the last lease closes it.
 */
final class OpenSnapshot {
    private static final System.Logger LOG = System.getLogger(OpenSnapshot.class.getName());

    private final Manifest manifest;
    private final BlockingQueue<Reader> readers;
    private final List<Reader> all = new ArrayList<>();
    /** Owner reference plus one per lease; 0 = closed. */
    private final AtomicInteger references = new AtomicInteger(1);

    private OpenSnapshot(Manifest manifest, int connections) {
        this.manifest = manifest;
        this.readers = new ArrayBlockingQueue<>(connections);
    }

    /**
     * Opens a file and checks that it is the version and schema its manifest says.
     *
     * @param file        the file
     * @param manifest    its verified manifest
     * @param connections how many lookups may read at once
     * @return the open snapshot, holding the owner's reference
     * @throws SnapshotRefused when the file is not a snapshot of this schema and version
     */
    static OpenSnapshot open(Path file, Manifest manifest, int connections) throws SnapshotRefused {
        OpenSnapshot s = new OpenSnapshot(manifest, connections);
        try {
            for (int i = 0; i < connections; i++) {
                Reader r = new Reader(file);
                s.all.add(r);
                s.readers.add(r);
            }
            Reader first = s.all.get(0);
            String schema = first.meta("schema_version");
            if (!Integer.toString(SnapshotSchema.VERSION).equals(schema) || manifest.schema() != SnapshotSchema.VERSION) {
                throw new SnapshotRefused("snapshot " + manifest.version() + " has schema version " + schema
                        + ", this instance reads " + SnapshotSchema.VERSION);
            }
            if (!manifest.version().equals(first.meta("version"))) {
                throw new SnapshotRefused("snapshot file " + file.getFileName() + " is not version "
                        + manifest.version());
            }
            return s;
        } catch (SQLException e) {
            s.closeReaders();
            throw new SnapshotRefused("snapshot " + manifest.version() + " cannot be read: " + e.getMessage());
        } catch (SnapshotRefused e) {
            s.closeReaders();
            throw e;
        }
    }

    Manifest manifest() {
        return manifest;
    }

    /** {@return a lease, or empty when this version was retired and closed meanwhile} */
    Optional<SnapshotReader> lease() {
        while (true) {
            int n = references.get();
            if (n == 0) {
                return Optional.empty();
            }
            if (references.compareAndSet(n, n + 1)) {
                return Optional.of(new Lease());
            }
        }
    }

    /** Drops the owner's reference: the version closes when its last lease does. */
    void retire() {
        release();
    }

    private void release() {
        if (references.decrementAndGet() == 0) {
            closeReaders();
        }
    }

    private void closeReaders() {
        for (Reader r : all) {
            r.close();
        }
    }

    /** One lookup's hold on this version. */
    private final class Lease implements SnapshotReader {
        private boolean closed;

        @Override
        public String version() {
            return manifest.version();
        }

        @Override
        public Optional<Entry> address(String address) {
            return query(address, false);
        }

        @Override
        public Optional<Entry> wildcard(String domain) {
            return query(domain, true);
        }

        private Optional<Entry> query(String key, boolean wildcard) {
            Reader r;
            try {
                r = readers.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
            try {
                return wildcard ? r.wildcard(key) : r.address(key);
            } catch (SQLException e) {
                LOG.log(System.Logger.Level.ERROR, "reading snapshot " + manifest.version() + " failed: "
                        + e.getMessage());
                return Optional.empty();
            } finally {
                readers.add(r);
            }
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                release();
            }
        }
    }

    /** A read-only connection with its prepared statements; used by one lookup at a time. */
    private static final class Reader {
        private final Connection connection;
        private final PreparedStatement address;
        private final PreparedStatement wildcard;

        Reader(Path file) throws SQLException {
            SQLiteConfig config = new SQLiteConfig();
            config.setReadOnly(true);
            this.connection = config.createConnection("jdbc:sqlite:" + file);
            this.address = connection.prepareStatement(SnapshotSchema.SELECT_ADDRESS);
            this.wildcard = connection.prepareStatement(SnapshotSchema.SELECT_WILDCARD);
        }

        String meta(String key) throws SQLException {
            try (PreparedStatement s = connection.prepareStatement(SnapshotSchema.SELECT_META)) {
                s.setString(1, key);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? r.getString(1) : null;
                }
            }
        }

        Optional<SnapshotReader.Entry> address(String key) throws SQLException {
            address.setString(1, key);
            try (ResultSet r = address.executeQuery()) {
                return r.next() ? Optional.of(new SnapshotReader.Entry(key, r.getString(1), r.getString(2)))
                        : Optional.empty();
            }
        }

        Optional<SnapshotReader.Entry> wildcard(String domain) throws SQLException {
            wildcard.setString(1, domain);
            try (ResultSet r = wildcard.executeQuery()) {
                return r.next() ? Optional.of(new SnapshotReader.Entry(r.getString(1), r.getString(2),
                        r.getString(3))) : Optional.empty();
            }
        }

        void close() {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.log(System.Logger.Level.WARNING, "closing a snapshot connection failed: " + e.getMessage());
            }
        }
    }
}
