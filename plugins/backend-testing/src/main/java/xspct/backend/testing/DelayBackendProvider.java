package xspct.backend.testing;

import java.util.List;

import xspct.api.Backend;
import xspct.api.BackendProvider;
import xspct.api.BackendResult;
import xspct.api.QueryContext;

/**
 * {@code db_type: delay}: waits {@code delay} seconds (default 1.0) and answers nothing; for timeout tests.
 */
public final class DelayBackendProvider implements BackendProvider {
    @Override
    public String dbType() {
        return "delay";
    }

    @Override
    public void check(QueryContext context) {
        seconds(context);
    }

    @Override
    public Backend create(QueryContext context) {
        double seconds = seconds(context);
        long nanos = (long) (Math.max(0, seconds) * 1e9);
        return requests -> {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
            return BackendResult.of(List.of());
        };
    }

    private static double seconds(QueryContext context) {
        double seconds = context.query().get("delay").asDouble(1.0);
        if (seconds < 0) {
            context.query().get("delay").problem("must not be negative");
        }
        return seconds;
    }
}
