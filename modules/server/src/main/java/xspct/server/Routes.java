package xspct.server;

import java.util.function.Consumer;

import io.helidon.webserver.http.HttpRouting;
import xspct.core.XspctService;

/**
 * Every route of the service, per endpoint family, plus the 405 and 404 answers of the original.
 */
final class Routes {
    private Routes() {
    }

    /**
     * The routing of every listener.
     *
     * @param service  the service
     * @param settings the front-end settings
     * @param metrics  the metrics, or null when {@code xspct_db_metrics_enabled} is false ({@code /metrics} is 404)
     * @param guard    the slow-client guard, through which request bodies are read
     * @return the routing
     */
    static Consumer<HttpRouting.Builder> of(XspctService service, ServerSettings settings, ServerMetrics metrics,
                                            SlowClientGuard guard) {
        ApiKeyAuth auth = new ApiKeyAuth(service.settings());
        HealthService health = new HealthService();
        QueryService query = new QueryService(service, auth, guard);
        RspamdService rspamd = new RspamdService(service, auth, guard);
        RequestObserver observer = new RequestObserver(metrics, settings, guard);
        MetricsService metricsService = metrics == null ? null
                : new MetricsService(metrics, new MetricsAuth(settings.metricsAuth(), auth));
        return r -> {
            r.addFilter(observer); // the guard's filter runs inside it
            // Routes go on the root list: a registered service would cost every request a nested route walk and a
            // copy of its path parameters.
            health.routing(r);
            query.routing(r);
            rspamd.routing(r);
            if (metricsService != null) {
                metricsService.routing(r);
                MethodNotAllowed.register(r, "GET, HEAD", MetricsService.PATHS);
            }
            new CacheService(service, auth, guard).routing(r);
            new SnapshotsService(service.snapshots(), auth).routing(r);
            MethodNotAllowed.register(r, "GET", SnapshotsService.GET_PATHS);
            MethodNotAllowed.register(r, "POST", SnapshotsService.POST_PATHS);
            new ChangeFeedService(service, auth).routing(r);
            MethodNotAllowed.register(r, "GET", ChangeFeedService.PATHS);
            MethodNotAllowed.register(r, "GET", HealthService.PATHS);
            MethodNotAllowed.register(r, "GET", QueryService.GET_PATHS);
            MethodNotAllowed.register(r, "POST", QueryService.POST_PATHS);
            MethodNotAllowed.register(r, "POST", RspamdService.PATHS);
            r.any(PlainText::notFound);
            r.error(Throwable.class, PlainText::internalError);
        };
    }
}
