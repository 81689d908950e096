/**
 * Edge snapshots in SQLite: the central instance publishes signed, versioned files of its final answers; edges
 * download, verify and swap them in, keep the last few and roll back on request.
 */
module xspct.snapshot.sqlite {
    requires xspct.api;
    requires org.xerial.sqlitejdbc;
    requires java.net.http;
    provides xspct.api.SnapshotProvider with xspct.snapshot.sqlite.SqliteSnapshotProvider;
}
