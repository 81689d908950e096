package xspct.core.lookup;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import xspct.api.Backend;
import xspct.api.BackendEntry;
import xspct.api.BackendProvider;
import xspct.api.BackendResult;
import xspct.api.CacheTierProvider;
import xspct.api.LookupRequest;
import xspct.api.QueryContext;
import xspct.core.XspctService;
import xspct.core.config.ConfigFile;
import xspct.core.config.Settings;
import xspct.core.plugin.PluginRegistry;
import xspct.core.testing.MemoryTier;
import xspct.core.Reply;

/**
 * Builds an in-process service from YAML text with test backends: {@code map} (entries from a Java map, found by
 * top-level key or by any value) and {@code fn} (a function of the batch), plus an in-memory L1 tier.
 */
final class TestService {
    private TestService() {
    }

    /** A backend provider whose backends answer from a function and record every batch. */
    static final class FnProvider implements BackendProvider {
        final String type;
        final Function<List<LookupRequest>, BackendResult> fn;
        final List<List<LookupRequest>> calls = new java.util.concurrent.CopyOnWriteArrayList<>();

        FnProvider(String type, Function<List<LookupRequest>, BackendResult> fn) {
            this.type = type;
            this.fn = fn;
        }

        @Override
        public String dbType() {
            return type;
        }

        @Override
        public Backend create(QueryContext context) {
            return requests -> {
                calls.add(requests);
                return fn.apply(requests);
            };
        }
    }

    /** Answers a request value that is a key of {@code data}, else every entry having it as a value (like yaml). */
    static FnProvider mapBackend(String type, Map<String, Map<String, Object>> data) {
        return new FnProvider(type, requests -> {
            List<BackendEntry> out = new ArrayList<>();
            for (int i = 0; i < requests.size(); i++) {
                for (String v : requests.get(i).values()) {
                    if (data.containsKey(v)) {
                        out.add(new BackendEntry.Found(data.get(v), List.of(i)));
                        continue;
                    }
                    for (Map.Entry<String, Map<String, Object>> e : data.entrySet()) {
                        if (e.getKey().equals(v) || e.getValue().values().stream().anyMatch(x ->
                                x.equals(v) || (x instanceof List<?> l && l.contains(v)))) {
                            out.add(new BackendEntry.Found(e.getValue(), List.of(i)));
                        }
                    }
                }
            }
            return BackendResult.of(out);
        });
    }

    static CacheTierProvider tier(MemoryTier tier) {
        return tier.provider();
    }

    static XspctService start(String yaml, List<BackendProvider> backends, List<CacheTierProvider> tiers) {
        Settings settings = Settings.read(ConfigFile.parse("test.yml", yaml));
        Map<String, BackendProvider> byType = new HashMap<>();
        backends.forEach(b -> byType.put(b.dbType(), b));
        return XspctService.create(settings, new PluginRegistry(List.of(), byType, tiers, List.of()));
    }

    static Map<String, Object> user(Object... kv) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static Map<String, Map<String, Object>> users(Reply r) {
        if (r instanceof Reply.Users u) {
            return u.users();
        }
        throw new AssertionError("expected users, got " + r);
    }
}
