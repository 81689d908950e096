package xspct.snapshot.sqlite;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.Optional;

import xspct.api.ApiVersion;
import xspct.api.SnapshotContext;
import xspct.api.SnapshotProvider;
import xspct.api.SnapshotPublisher;
import xspct.api.SnapshotSubscription;

/** Creates the SQLite snapshot store from {@code xspct_db_snapshot_publish} and {@code xspct_db_snapshot_subscribe}. */
public final class SqliteSnapshotProvider implements SnapshotProvider {
    /** Lookups reading one snapshot at the same time. */
    private static final int CONNECTIONS = Math.max(4, Runtime.getRuntime().availableProcessors() * 2);

    /** Used by {@link java.util.ServiceLoader}. */
    public SqliteSnapshotProvider() {
    }

    @Override
    public String apiVersion() {
        return ApiVersion.CURRENT;
    }

    @Override
    public String name() {
        return "sqlite";
    }

    @Override
    public void check(SnapshotContext context) {
        PublishSettings.read(context.publish());
        SubscribeSettings.read(context.subscribe(), context.root());
    }

    @Override
    public Optional<SnapshotPublisher> publisher(SnapshotContext context) {
        PublishSettings s = PublishSettings.read(context.publish());
        if (!s.enabled() || s.directory() == null || s.signingKey() == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(new SqlitePublisher(s, new VersionDirectory(s.directory()), Clock.systemUTC()));
        } catch (IOException e) {
            context.publish().get("directory").problem("cannot be used: " + e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public Optional<SnapshotSubscription> subscription(SnapshotContext context) {
        SubscribeSettings s = SubscribeSettings.read(context.subscribe(), context.root());
        if (!s.enabled() || s.directory() == null || s.publicKey() == null || s.url() == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(new SqliteSubscription(s, new VersionDirectory(s.directory()),
                    new HttpSnapshotFetch(s), Clock.systemUTC(), CONNECTIONS));
        } catch (IOException e) {
            context.subscribe().get("directory").problem("cannot be used: " + e.getMessage());
            return Optional.empty();
        } catch (GeneralSecurityException e) {
            context.subscribe().get("tls").problem("cannot be loaded: " + e.getMessage());
            return Optional.empty();
        }
    }
}
