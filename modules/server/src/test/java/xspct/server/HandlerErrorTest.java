package xspct.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import xspct.api.Backend;
import xspct.api.BackendProvider;
import xspct.api.BackendResult;
import xspct.api.QueryContext;
import xspct.core.XspctService;
import xspct.core.config.ConfigFile;
import xspct.core.config.Settings;
import xspct.core.plugin.PluginRegistry;

/** An Error thrown while answering (here a stack overflow in a backend) is a logged, counted 500, nothing worse. */
class HandlerErrorTest {
    private static final String KEY = "handler-error-test";
    private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            logged.add(r);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private XspctServer server;

    @AfterEach
    void stop() {
        Logger.getLogger(PlainText.class.getName()).removeHandler(capture);
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void anErrorInAHandlerIsALoggedCounted500() throws Exception {
        BackendProvider overflowing = new BackendProvider() {
            @Override
            public String dbType() {
                return "overflowing";
            }

            @Override
            public Backend create(QueryContext context) {
                return requests -> {
                    if (requests.getFirst().address().startsWith("deep")) {
                        throw new StackOverflowError();
                    }
                    return BackendResult.of(List.of());
                };
            }
        };
        String yaml = """
                xspct_db_listen_address: 127.0.0.1
                xspct_db_listen_port: 0
                xspct_db_api_key: %s
                xspct_db_request_timeout: 10
                xspct_db_foreground_slots: 1
                xspct_db_metrics_enabled: true
                xspct_db_metrics_cache_ttl: 0
                xspct_db_queries:
                  q:
                    db_type: overflowing
                """.formatted(KEY);
        Logger.getLogger(PlainText.class.getName()).addHandler(capture);
        XspctService service = XspctService.create(Settings.read(ConfigFile.parse("test", yaml)),
                new PluginRegistry(List.of(), Map.of("overflowing", overflowing), List.of(), Map.of()));
        server = XspctServer.start(service);

        // more errors than slots: a slot is given back after an Error too
        for (int i = 0; i < 3; i++) {
            assertEquals(500, get("/v1/query/deep" + i + "@ex.de").status());
        }
        assertEquals(200, get("/v1/query/fine@ex.de").status(), "still answering");
        assertEquals(3, logged.stream().filter(r -> r.getMessage().contains("StackOverflowError")).count(),
                logged.toString());
        String metrics = get("/metrics").body();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("http_requests_total{") && l.contains("status=\"500\"")
                && l.endsWith(" 3.0")), metrics);
    }

    private record Response(int status, String body) {
    }

    private Response get(String path) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + server.port() + path).toURL()
                .openConnection();
        c.setRequestProperty("X-Api-Key", KEY);
        int status = c.getResponseCode();
        InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
        return new Response(status, in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
}
