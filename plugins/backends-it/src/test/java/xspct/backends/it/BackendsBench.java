package xspct.backends.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

import xspct.api.BackendProvider;
import xspct.backend.ldap.LdapBackendProvider;
import xspct.backend.mysql.CountingMysqlProvider;
import xspct.core.XspctService;
import xspct.server.InProcessServer;

/**
 * Benchmark, not a test: {@code POST /v1/query-json} with a batch of addresses that all miss the caches (no cache
 * tier is installed), against one backend at a time, through the real HTTP server started in this JVM. Prints
 * requests per second and backend round trips (LDAP searches, SQL statements) per request.
 *
 * <p>Arguments: {@code [--batch 100] [--requests 300] [--concurrency 4] [--users 20000] [--backend ldap|mysql|all]}.
 * The LDAP server is UnboundID's in-memory directory in this same JVM (so its CPU counts against the result); the
 * database is the local MariaDB/MySQL (127.0.0.1:3306, root, database test).
 */
public final class BackendsBench {
    private static final java.util.regex.Pattern FOUND_KEY =
            java.util.regex.Pattern.compile("\"[^\"]*@example\\.org\"\\s*:\\s*\\{");

    private BackendsBench() {
    }

    public static void main(String[] args) throws Exception {
        int batch = 100;
        int requests = 300;
        int concurrency = 4;
        int users = 20_000;
        String which = "all";
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--batch" -> batch = Integer.parseInt(args[i + 1]);
                case "--requests" -> requests = Integer.parseInt(args[i + 1]);
                case "--concurrency" -> concurrency = Integer.parseInt(args[i + 1]);
                case "--users" -> users = Integer.parseInt(args[i + 1]);
                case "--backend" -> which = args[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        System.out.printf(Locale.ROOT, "POST /v1/query-json, %d addresses per request (all cache misses), "
                + "%d requests, %d concurrent clients, %d users%n", batch, requests, concurrency, users);
        if (!which.equals("mysql")) {
            try (ExampleDirectory ldap = new ExampleDirectory(users)) {
                String yaml = head() + """
                          users:
                            db_type: ldap
                            server: %s
                            bind_dn: cn=xspct,ou=services,dc=example,dc=org
                            bind_dn_pw: "change-me"
                            base_dn: ou=people,dc=example,dc=org
                            search_filter: "(|(mail=%%s)(mailAlternateAddress=%%s))"
                            search_filter_replace: {"%%s": address}
                            attr_list: [mail, uid, cn, mailAlternateAddress]
                        """.formatted(ldap.url());
                run("ldap", yaml, new LdapBackendProvider(), ldap::searches, batch, requests, concurrency, users);
            }
        }
        if (!which.equals("ldap")) {
            try (ExampleDatabase db = new ExampleDatabase(users)) {
                CountingMysqlProvider mysql = new CountingMysqlProvider();
                String yaml = head() + """
                          policy:
                            db_type: mysql
                            server: 127.0.0.1
                            user: root
                            database: test
                            query: "SELECT email AS mail, quota_mb, spam_score FROM %spolicy WHERE email = '%%u'"
                            query_replace: {"%%u": address}
                        """.formatted(db.prefix);
                run("mysql", yaml, mysql, mysql::statements, batch, requests, concurrency, users);
            }
        }
    }

    private static String head() {
        return """
                xspct_db_listen_address: 127.0.0.1
                xspct_db_listen_port: 0
                xspct_db_api_key: bench-key
                xspct_db_query_json_max_users: 1000
                xspct_db_queries:
                """;
    }

    private static void run(String name, String yaml, BackendProvider provider, IntSupplier roundTrips, int batch,
                            int requests, int concurrency, int users) throws Exception {
        try (XspctService service = WorkedExample.service(yaml, provider);
             InProcessServer server = InProcessServer.start(service);
             HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            URI uri = URI.create("http://127.0.0.1:" + server.port() + "/v1/query-json");
            AtomicInteger next = new AtomicInteger();
            AtomicInteger found = new AtomicInteger();
            // warm-up: connections, JIT
            send(http, uri, body(next.getAndIncrement(), batch, users), found);
            for (int i = 0; i < 30; i++) {
                send(http, uri, body(next.getAndIncrement(), batch, users), found);
            }
            found.set(0);
            int before = roundTrips.getAsInt();
            long start = System.nanoTime();
            try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<?>> fs = new ArrayList<>();
                for (int c = 0; c < concurrency; c++) {
                    fs.add(ex.submit(() -> {
                        int n;
                        while ((n = next.getAndIncrement()) < requests + 31) {
                            send(http, uri, body(n, batch, users), found);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : fs) {
                    f.get();
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            int trips = roundTrips.getAsInt() - before;
            System.out.printf(Locale.ROOT, "%-6s %8.1f requests/s  %7.1f addresses/s  %5.2f round trips/request  "
                            + "%5.1f%% addresses found  (%d requests in %.2f s)%n", name, requests / seconds,
                    requests * (double) batch / seconds, trips / (double) requests,
                    100.0 * found.get() / ((double) requests * batch), requests, seconds);
        }
    }

    /** Request {@code n}: {@code batch} distinct addresses, one in ten unknown. */
    private static String body(int n, int batch, int users) {
        StringBuilder sb = new StringBuilder("{\"users\": [");
        for (int i = 0; i < batch; i++) {
            int k = (n * batch + i) % users;
            sb.append(i == 0 ? "" : ", ").append('"').append(i % 10 == 9 ? "unknown" : "user").append(k)
                    .append("@example.org\"");
        }
        return sb.append("]}").toString();
    }

    private static void send(HttpClient http, URI uri, String body, AtomicInteger found) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(uri).header("X-Api-Key", "bench-key")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (resp.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + resp.statusCode() + ": " + resp.body());
        }
        // a found address is a key of the users object: "userN@example.org": {
        java.util.regex.Matcher m = FOUND_KEY.matcher(resp.body());
        int count = 0;
        while (m.find()) {
            count++;
        }
        found.addAndGet(count);
    }
}
