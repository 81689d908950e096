package xspct.core.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import xspct.api.SnapshotReader;
import xspct.api.SnapshotSink;
import xspct.api.SnapshotSubscription;
import xspct.api.SnapshotVersion;

/**
 * An in-memory snapshot for pipeline tests: a sink the builder writes into, and a subscription serving what was
 * written, as one version. The SQLite store is tested in its plugin and end to end.
 */
public final class MemorySnapshot implements SnapshotSink, SnapshotSubscription {
    /** Primary key to user JSON. */
    public final Map<String, String> users = new ConcurrentHashMap<>();
    /** Address to primary key. */
    public final Map<String, String> addresses = new ConcurrentHashMap<>();
    /** Domain to wildcard key and primary key. */
    public final Map<String, List<String>> wildcards = new ConcurrentHashMap<>();
    private final boolean primary;
    /** When false, no version is usable (too old, or none downloaded yet). */
    public volatile boolean usable = true;

    public MemorySnapshot(boolean primary) {
        this.primary = primary;
    }

    @Override
    public void user(String primaryKey, String json) {
        users.put(primaryKey, json);
    }

    @Override
    public void address(String address, String primaryKey) {
        addresses.put(address, primaryKey);
    }

    @Override
    public void wildcard(String domain, String key, String primaryKey) {
        wildcards.put(domain, List.of(key, primaryKey));
    }

    @Override
    public boolean primary() {
        return primary;
    }

    @Override
    public Duration interval() {
        return Duration.ofHours(1);
    }

    @Override
    public void start() {
    }

    @Override
    public void refresh() {
    }

    @Override
    public Optional<SnapshotReader> acquire() {
        if (!usable) {
            return Optional.empty();
        }
        return Optional.of(new SnapshotReader() {
            @Override
            public String version() {
                return "20261201T120000000Z";
            }

            @Override
            public Optional<Entry> address(String address) {
                String pk = addresses.get(address);
                return pk == null ? Optional.empty() : Optional.of(new Entry(address, pk, users.get(pk)));
            }

            @Override
            public Optional<Entry> wildcard(String domain) {
                List<String> w = wildcards.get(domain);
                return w == null ? Optional.empty() : Optional.of(new Entry(w.get(0), w.get(1), users.get(w.get(1))));
            }

            @Override
            public void close() {
            }
        });
    }

    @Override
    public List<SnapshotVersion> versions() {
        return List.of(new SnapshotVersion("20261201T120000000Z", Instant.EPOCH, 0, "", true, false));
    }

    @Override
    public SnapshotVersion rollback() {
        throw new IllegalStateException("one version only");
    }

    @Override
    public SnapshotVersion follow() {
        return versions().getFirst();
    }
}
