package xspct.backend.mysql;

import xspct.api.Backend;
import xspct.api.BackendProvider;
import xspct.api.QueryContext;

/**
 * {@code db_type: mysql}: rows of one prepared statement per batch, the per-address conditions of {@code query}
 * joined with {@code OR} (SPEC 4.6). Keys are documented in docs/backends.md.
 */
public final class MysqlBackendProvider implements BackendProvider {
    @Override
    public String dbType() {
        return "mysql";
    }

    @Override
    public void check(QueryContext context) {
        MysqlSettings.read(context);
    }

    @Override
    public Backend create(QueryContext context) {
        return MysqlBackend.create(context, ds -> ds);
    }
}
