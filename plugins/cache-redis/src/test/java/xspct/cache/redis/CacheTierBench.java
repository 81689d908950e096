package xspct.cache.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

import xspct.backend.yaml.YamlBackendProvider;
import xspct.cache.caffeine.CaffeineTierProvider;
import xspct.core.XspctService;
import xspct.core.config.ConfigFile;
import xspct.core.config.Settings;
import xspct.core.stats.Counters;
import xspct.core.Reply;
import xspct.core.plugin.PluginRegistry;

/**
 * Benchmark, not a test: GET lookups per second through the pipeline, answered from L2 (Redis on 127.0.0.1:6379,
 * L1 disabled) and from L1 (Caffeine), measured in one run. Run with bench/cache-tiers.sh.
 *
 * <p>Arguments (optional): seconds per measurement (default 5), threads (default 4), users (default 1000).
 */
public final class CacheTierBench {
    private CacheTierBench() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int users = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        String prefix = "xspct_bench_" + Long.toHexString(System.nanoTime()) + "_";
        StringBuilder data = new StringBuilder("xspct_db_queries:\n  users: {db_type: yaml}\n"
                + "xspct_db_yaml_data:\n  users:\n");
        List<String> addresses = new ArrayList<>(users);
        for (int i = 0; i < users; i++) {
            String a = "user" + i + "@bench.example.org";
            addresses.add(a);
            data.append("    ").append(a).append(": {mail: ").append(a).append(", cn: User ").append(i)
                    .append(", aliases: [alias").append(i).append("@bench.example.org]}\n");
        }
        String redis = RedisTestSupport.section(prefix, "expire: 600");
        try (XspctService l2 = service("xspct_db_local_cache: {enabled: false}\n" + redis + data);
             XspctService l1 = service("xspct_db_local_cache: {enabled: true, expire: 600}\n" + redis + data)) {
            for (String a : addresses) {
                check(l2.lookups().get(a)); // backend -> L2
                check(l1.lookups().get(a)); // L2 -> L1
            }
            // a short warm-up of the JIT on both paths
            run(l2, addresses, 1, threads);
            run(l1, addresses, 1, threads);
            long l2Before = l2.statistics().count(Counters.Name.SHARED_CACHE_HITS);
            long l1Before = l1.statistics().count(Counters.Name.LOCAL_CACHE_HITS);
            double fromL2 = run(l2, addresses, seconds, threads);
            double fromL1 = run(l1, addresses, seconds, threads);
            long l2Hits = l2.statistics().count(Counters.Name.SHARED_CACHE_HITS) - l2Before;
            long l1Hits = l1.statistics().count(Counters.Name.LOCAL_CACHE_HITS) - l1Before;
            System.out.printf("users=%d threads=%d seconds=%d (each)%n", users, threads, seconds);
            System.out.printf("L2 (Redis, L1 disabled): %,.0f lookups/s (%d Redis hits)%n", fromL2, l2Hits);
            System.out.printf("L1 (Caffeine):           %,.0f lookups/s (%d L1 hits)%n", fromL1, l1Hits);
            System.out.printf("ratio L1/L2: %.1fx%n", fromL1 / fromL2);
        } finally {
            RedisTestSupport.deleteKeys(prefix);
        }
    }

    private static XspctService service(String yaml) {
        PluginRegistry plugins = new PluginRegistry(List.of(), Map.of("yaml", new YamlBackendProvider()),
                List.of(new CaffeineTierProvider(), new RedisCacheProvider()), List.of());
        return XspctService.create(Settings.read(ConfigFile.parse("bench", yaml)), plugins);
    }

    private static void check(Reply r) {
        if (!(r instanceof Reply.Users u) || u.users().isEmpty()) {
            throw new IllegalStateException("unexpected reply " + r);
        }
    }

    /** {@return lookups per second over the period} */
    private static double run(XspctService s, List<String> addresses, int seconds, int threads)
            throws InterruptedException {
        LongAdder done = new LongAdder();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Thread> ts = new ArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            ts.add(Thread.ofPlatform().start(() -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                try {
                    while (System.nanoTime() < end) {
                        for (int i = 0; i < 100; i++) {
                            check(s.lookups().get(addresses.get(rnd.nextInt(addresses.size()))));
                        }
                        done.add(100);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        for (Thread t : ts) {
            t.join();
        }
        return done.sum() / ((System.nanoTime() - start) / 1e9);
    }
}
