package xspct.backend.yaml;

import xspct.api.Backend;
import xspct.api.BackendProvider;
import xspct.api.QueryContext;

/**
 * {@code db_type: yaml}: entries of {@code xspct_db_yaml_data[yaml_root]}, found by top-level key or through the
 * fields named in {@code search_filter} (SPEC 4.4).
 */
public final class YamlBackendProvider implements BackendProvider {
    @Override
    public String dbType() {
        return "yaml";
    }

    @Override
    public void check(QueryContext context) {
        YamlBackend.create(context); // builds its in-memory index only: nothing to connect to
    }

    @Override
    public Backend create(QueryContext context) {
        return YamlBackend.create(context);
    }
}
