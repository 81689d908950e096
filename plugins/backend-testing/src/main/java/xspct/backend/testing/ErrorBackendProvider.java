package xspct.backend.testing;

import xspct.api.ApiVersion;
import xspct.api.Backend;
import xspct.api.BackendProvider;
import xspct.api.BackendResult;
import xspct.api.QueryContext;

/**
 * {@code db_type: error}: always fails with {@code 500 raise custom error}.
 */
public final class ErrorBackendProvider implements BackendProvider {
    @Override
    public String apiVersion() {
        return ApiVersion.CURRENT;
    }

    static final String ERROR = "500 raise custom error";

    @Override
    public String dbType() {
        return "error";
    }

    @Override
    public Backend create(QueryContext context) {
        return requests -> BackendResult.failed(ERROR);
    }
}
