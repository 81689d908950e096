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
import java.util.Random;
import java.util.concurrent.TimeUnit;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;

/**
 * Staleness of cached answers under the change feed: for each of N changes, the address is cached on every instance,
 * the backend entry is changed directly (an UPDATE in MariaDB, or a modify in the directory), and the time from the
 * committed change until every instance answers the new value is taken (each instance asked every millisecond).
 * Between two changes the client pauses a random time up to one poll interval, so that changes fall anywhere
 * between two reads of the feed instead of right after one. Run by bench/change-feed-staleness.sh.
 *
 * <p>Arguments: {@code SOURCE CHANGES PAUSE_MS PORT...}, SOURCE a JDBC URL (rows {@code u<i>@bench.test} of table
 * {@code policy}, column {@code quota}) or {@code ldap://host:port/BIND_DN/PASSWORD/BASE_DN} (entries
 * {@code uid=u<i>}, attribute {@code description}).
 */
public final class ChangeFeedStaleness {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final long TIMEOUT_NANOS = 60_000_000_000L;

    /** Makes change number {@code value} of an address; returns once the backend committed it. */
    private interface Changer extends AutoCloseable {
        void change(int i, int value) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        String source = args[0];
        int changes = Integer.parseInt(args[1]);
        int pauseMs = Integer.parseInt(args[2]);
        List<Integer> ports = Arrays.stream(args, 3, args.length).map(Integer::valueOf).toList();
        long[] staleness = new long[changes];
        long[][] perInstance = new long[ports.size()][changes];
        int late = 0;
        Random random = new Random(14);
        try (Changer changer = source.startsWith("ldap://") ? ldap(source) : sql(source)) {
            for (int i = 0; i < changes; i++) {
                String address = "u" + i + "@bench.test";
                for (int port : ports) {
                    String before = get(port, address);
                    if (!before.contains("\"0\"")) {
                        throw new IllegalStateException("unexpected first answer of " + address + ": " + before);
                    }
                }
                if (pauseMs > 0) {
                    // the change is made at a random instant up to one poll interval ahead, so that changes fall
                    // anywhere between two reads of the feed
                    waitUntil(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(random.nextInt(pauseMs + 1)));
                }
                changer.change(i, i + 1);
                long committed = System.nanoTime();
                String expected = "\"" + (i + 1) + "\"";
                List<Integer> pending = new ArrayList<>(ports);
                long deadline = committed + TIMEOUT_NANOS;
                while (!pending.isEmpty()) {
                    for (int k = 0; k < ports.size(); k++) {
                        Integer p = ports.get(k);
                        if (pending.contains(p) && get(p, address).contains(expected)) {
                            pending.remove(p);
                            perInstance[k][i] = System.nanoTime() - committed;
                        }
                    }
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
                        // the measurement's resolution: ask again 1 ms later, until the deadline above
                        waitUntil(Math.min(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1), deadline));
                    }
                }
                staleness[i] = Math.min(TIMEOUT_NANOS, System.nanoTime() - committed);
            }
        }
        System.out.printf("changes=%d instances=%d staleness_ms %s late=%d%n", changes, ports.size(),
                summary(staleness), late);
        for (int k = 0; k < ports.size(); k++) {
            System.out.printf("  instance on port %d alone: %s%n", ports.get(k), summary(perInstance[k]));
        }
    }

    private static String summary(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return String.format("p50=%.1f p90=%.1f p99=%.1f max=%.1f", ms(pct(sorted, 50)), ms(pct(sorted, 90)),
                ms(pct(sorted, 99)), ms(sorted[sorted.length - 1]));
    }

    private static Changer sql(String url) throws Exception {
        Connection c = DriverManager.getConnection(url);
        PreparedStatement update = c.prepareStatement("UPDATE policy SET quota = ? WHERE mail = ?");
        return new Changer() {
            @Override
            public void change(int i, int value) throws Exception {
                update.setInt(1, value);
                update.setString(2, "u" + i + "@bench.test");
                update.executeUpdate();
            }

            @Override
            public void close() throws Exception {
                c.close();
            }
        };
    }

    private static Changer ldap(String spec) throws Exception {
        // ldap://host:port/BIND_DN/PASSWORD/BASE_DN
        String[] parts = spec.substring("ldap://".length()).split("/", 4);
        String[] hostPort = parts[0].split(":");
        LDAPConnection c = new LDAPConnection(hostPort[0], Integer.parseInt(hostPort[1]), parts[1], parts[2]);
        String base = parts[3];
        return new Changer() {
            @Override
            public void change(int i, int value) throws Exception {
                c.modify("uid=u" + i + "," + base, new Modification(ModificationType.REPLACE, "description",
                        Integer.toString(value)));
            }

            @Override
            public void close() {
                c.close();
            }
        };
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

    /** Returns at the instant {@code at} (a {@link System#nanoTime()} reading). */
    private static void waitUntil(long at) throws InterruptedException {
        for (long left = at - System.nanoTime(); left > 0; left = at - System.nanoTime()) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }
}
