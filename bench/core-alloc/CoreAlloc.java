package xspct.server;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import xspct.core.Endpoints;
import xspct.core.XspctService;
import xspct.core.codec.BodyFormat;

/**
 * Bytes allocated and nanoseconds per call of the endpoint layer alone, without HTTP: a cached GET lookup, a
 * query-json response-cache hit by its decoded users and by its body seen before, and an rspamd-settings hit by its
 * body seen before. One thread calls each in a loop; allocation comes from the thread's own counter, so the figure
 * is exact for what the calls allocate after the JIT compiled them (escape analysis included). Run by
 * bench/core-alloc.sh, which patches this class into the server module to reach its package-private start-up code.
 *
 * <p>Arguments: {@code CONFIG PLUGINS_DIR [ROUNDS]}.
 */
public final class CoreAlloc {
    private static final int CALLS = 200_000;

    private CoreAlloc() {
    }

    /** A measured call. */
    @FunctionalInterface
    private interface Call {
        void run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        StartupConfig c = StartupConfig.read(Path.of(args[0]), List.of(Path.of(args[1])), s -> { });
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        try (XspctService service = XspctService.create(c.settings(), c.plugins())) {
            Endpoints e = service.endpoints();
            BodyFormat json = e.codecs().negotiate(null, null);
            double timeout = c.settings().requestTimeout();
            List<String> three = List.of("u0000@example.com", "u0001@example.com", "u0002@example.com");
            byte[] qjson = "{\"users\": [\"u0000@example.com\", \"u0001@example.com\", \"u0002@example.com\"]}"
                    .getBytes(StandardCharsets.UTF_8);
            byte[] rspamd = ("{\"uid\": \"bench\", \"from\": \"sender@example.net\", \"rcpts\": [\"u0000@example.com\", "
                    + "\"u0001@example.com\", \"u0002@example.com\"]}").getBytes(StandardCharsets.UTF_8);
            // fill the caches and remember the bodies, as the first requests would
            e.queryJson(three, json, "application/json", qjson);
            var request = xspct.core.RspamdRequest.of(e.codecs().decode("application/json", rspamd));
            e.rspamdSettings(request, json, "bench", "application/json", rspamd);
            String[] names = {"cached GET", "query-json hit (decoded users)", "query-json hit (body seen)",
                "rspamd-settings hit (body seen)"};
            Call[] calls = {
                () -> e.get("u0000@example.com", timeout, json),
                () -> e.queryJson(three, json),
                () -> e.queryJsonSeen("application/json", qjson, json).orElseThrow(),
                () -> e.rspamdSettingsSeen("application/json", rspamd, json, "").orElseThrow()
            };
            var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            for (int r = 1; r <= rounds; r++) {
                StringBuilder line = new StringBuilder("round " + r + ":");
                for (int i = 0; i < calls.length; i++) {
                    long b0 = threads.getCurrentThreadAllocatedBytes();
                    long t0 = System.nanoTime();
                    for (int n = 0; n < CALLS; n++) {
                        calls[i].run();
                    }
                    long t1 = System.nanoTime();
                    long b1 = threads.getCurrentThreadAllocatedBytes();
                    line.append(String.format(" | %s: %d B, %d ns", names[i], (b1 - b0) / CALLS, (t1 - t0) / CALLS));
                }
                System.out.println(line);
            }
        }
    }
}
