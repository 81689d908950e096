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

    static Consumer<HttpRouting.Builder> of(XspctService service) {
        ApiKeyAuth auth = new ApiKeyAuth(service.settings());
        HealthService health = new HealthService();
        QueryService query = new QueryService(service, auth);
        RspamdService rspamd = new RspamdService(service, auth);
        return r -> {
            r.register(health, query, rspamd);
            r.register(new CacheService(service, auth));
            MethodNotAllowed.register(r, "GET", HealthService.PATHS);
            MethodNotAllowed.register(r, "GET", QueryService.GET_PATHS);
            MethodNotAllowed.register(r, "POST", QueryService.POST_PATHS);
            MethodNotAllowed.register(r, "POST", RspamdService.PATHS);
            r.any(PlainText::notFound);
            r.error(Throwable.class, PlainText::internalError);
        };
    }
}
