package xspct.cache.caffeine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import xspct.api.CacheContext;
import xspct.api.CacheTier;
import xspct.core.config.ConfigFile;
import xspct.core.config.Settings;

/**
 * Benchmark (not a test, run by bench/run.sh): the heap one L1 entry takes. Fills the tier with N users of five
 * short attributes, stored as the lookup pipeline stores a YAML user (each value a list of one string, primary key =
 * address, the address as its own alias), and prints the heap growth per entry after full collections, and the
 * process's resident set size.
 *
 * <pre>java -Xmx900m -cp ... xspct.cache.caffeine.L1MemoryBench [N] [EXTRA_SECTION_YAML]</pre>
 */
public final class L1MemoryBench {
    private L1MemoryBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        String extra = args.length > 1 ? ", " + args[1] : "";
        Settings s = Settings.read(ConfigFile.parse("bench",
                "xspct_db_local_cache: {max_entries: " + n + ", expire: 86400" + extra + "}"));
        CaffeineTierProvider p = new CaffeineTierProvider();
        CacheTier tier = p.create(new CacheContext(s.section(p.configKey()), s.root())).orElseThrow();
        long before = heapAfterGc();
        for (int i = 0; i < n; i++) {
            String address = "u" + i + "@example.com";
            // as the YAML backend's users reach the cache: every value a list of one fresh string
            Map<String, Object> user = new LinkedHashMap<>();
            user.put("mail", new ArrayList<>(List.of(address)));
            user.put("uid", new ArrayList<>(List.of("u" + i)));
            user.put("quota", new ArrayList<>(List.of(String.valueOf(1024))));
            user.put("greylisting", new ArrayList<>(List.of(Boolean.toString(true).toUpperCase(Locale.ROOT))));
            user.put("reject_level", new ArrayList<>(List.of(String.valueOf(i % 2 + 5))));
            tier.store(Map.of(address, user), Map.of(address, address));
        }
        long after = heapAfterGc();
        String check = tier.lookup("u" + (n - 1) + "@example.com").toString();
        System.out.printf("entries=%d heap_per_entry=%d heap_mb=%d rss_mb=%d last=%s%n", n, (after - before) / n,
                after >> 20, rssKb() >> 10, check.length() > 120 ? check.substring(0, 120) : check);
        tier.close();
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    private static long rssKb() throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
