package xspct.backend.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import xspct.api.ApiVersion;
import xspct.api.Backend;
import xspct.api.BackendEntry;
import xspct.api.BackendProvider;
import xspct.api.BackendResult;
import xspct.api.QueryContext;

/**
 * {@code db_type: dummy}: answers every address with {@code {"uid": address, "comment": "dummy reply"}}, without
 * marking it as found .
 */
public final class DummyBackendProvider implements BackendProvider {
    @Override
    public String apiVersion() {
        return ApiVersion.CURRENT;
    }

    @Override
    public String dbType() {
        return "dummy";
    }

    @Override
    public Backend create(QueryContext context) {
        return requests -> {
            List<BackendEntry> out = new ArrayList<>(requests.size());
            requests.forEach(r -> {
                Map<String, Object> reply = new LinkedHashMap<>();
                reply.put("uid", r.address());
                reply.put("comment", "dummy reply");
                out.add(new BackendEntry.Verbatim(r.address(), reply));
            });
            return BackendResult.of(out);
        };
    }
}
