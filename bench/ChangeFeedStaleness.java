import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Staleness of cached answers under the change feed: for each of N changes, the address is cached on every instance,
 * its row is updated directly in MariaDB, and the time from the committed UPDATE until every instance answers the
 * new value is taken (each instance polled every millisecond). Run by bench/change-feed-staleness.sh.
 *
 * Arguments: JDBC_URL CHANGES PORT...
 */
public final class ChangeFeedStaleness {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final long TIMEOUT_NANOS = 60_000_000_000L;

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int changes = Integer.parseInt(args[1]);
        List<Integer> ports = Arrays.stream(args, 2, args.length).map(Integer::valueOf).toList();
        long[] staleness = new long[changes];
        int late = 0;
        try (Connection c = DriverManager.getConnection(url);
             PreparedStatement update = c.prepareStatement("UPDATE policy SET quota = ? WHERE mail = ?")) {
            for (int i = 0; i < changes; i++) {
                String address = "u" + i + "@bench.test";
                for (int port : ports) {
                    String before = get(port, address);
                    if (!before.contains("\"0\"")) {
                        throw new IllegalStateException("unexpected first answer of " + address + ": " + before);
                    }
                }
                update.setInt(1, i + 1);
                update.setString(2, address);
                update.executeUpdate();
                long committed = System.nanoTime();
                String expected = "\"" + (i + 1) + "\"";
                List<Integer> pending = new ArrayList<>(ports);
                long deadline = committed + TIMEOUT_NANOS;
                while (!pending.isEmpty()) {
                    pending.removeIf(p -> get(p, address).contains(expected));
                    if (System.nanoTime() > deadline) {
                        // counted at the timeout, and said: a machine too loaded for the shared cache shows here
                        StringBuilder why = new StringBuilder("late: not answered within 60 s: " + address);
                        for (int p : ports) {
                            why.append("\n  port ").append(p).append(": ").append(get(p, address)).append("\n  ")
                                    .append(get(p, "/v1/change-feed"));
                        }
                        System.out.println(why);
                        late++;
                        break;
                    }
                    if (!pending.isEmpty()) {
                        Thread.sleep(1);
                    }
                }
                staleness[i] = Math.min(TIMEOUT_NANOS, System.nanoTime() - committed);
            }
        }
        Arrays.sort(staleness);
        System.out.printf("changes=%d instances=%d staleness_ms p50=%.1f p90=%.1f p99=%.1f max=%.1f late=%d%n",
                changes, ports.size(), ms(pct(staleness, 50)), ms(pct(staleness, 90)), ms(pct(staleness, 99)),
                ms(staleness[changes - 1]), late);
    }

    private static long pct(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static String get(int port, String address) {
        try {
            String path = address.startsWith("/") ? address : "/v1/query/" + address;
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .header("X-Api-Key", "bench-key").build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
