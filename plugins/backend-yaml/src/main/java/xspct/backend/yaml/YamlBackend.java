package xspct.backend.yaml;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import xspct.api.AddressEnumeration;
import xspct.api.Backend;
import xspct.api.BackendEntry;
import xspct.api.BackendResult;
import xspct.api.ConfigNode;
import xspct.api.LookupRequest;
import xspct.api.QueryContext;

/**
 * One {@code yaml} query: its data root and a reverse index from (field, value) to top-level keys, both built once
 * and immutable afterwards. It enumerates itself for snapshots: every top-level key and every value of the
 * {@code search_filter} fields.
 */
final class YamlBackend implements Backend, AddressEnumeration {
    private final Map<String, Map<String, Object>> entries;
    private final Map<String, Map<String, List<String>>> index;
    private final List<String> searchFields;

    private YamlBackend(Map<String, Map<String, Object>> entries, Map<String, Map<String, List<String>>> index,
                        List<String> searchFields) {
        this.entries = entries;
        this.index = index;
        this.searchFields = searchFields;
    }

    static YamlBackend create(QueryContext ctx) {
        ConfigNode q = ctx.query();
        String root = q.get("yaml_root").asString(ctx.queryName());
        List<String> fields = q.get("search_filter").asStringList(List.of());
        ConfigNode data = ctx.root().get("xspct_db_yaml_data").get(root);
        Map<String, Map<String, Object>> entries = new LinkedHashMap<>();
        if (data.exists() && !data.isNull()) {
            data.map().forEach((key, node) -> {
                if (node.isMap()) {
                    entries.put(key, rawMap(node));
                } else if (!node.isNull()) {
                    node.problem("a YAML data entry must be a mapping of attributes");
                }
            });
        }
        Map<String, Map<String, List<String>>> index = new HashMap<>();
        for (String field : fields) {
            Map<String, List<String>> byValue = new HashMap<>();
            entries.forEach((key, entry) -> {
                for (String v : strings(entry.get(field))) {
                    byValue.computeIfAbsent(v, k -> new ArrayList<>()).add(key);
                }
            });
            index.put(field, byValue);
        }
        return new YamlBackend(Collections.unmodifiableMap(entries), index, List.copyOf(fields));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> rawMap(ConfigNode node) {
        Map<String, Object> out = new LinkedHashMap<>();
        ((Map<Object, Object>) node.raw()).forEach((k, v) -> out.put(str(k), v));
        return Collections.unmodifiableMap(out);
    }

    /** String forms of a raw value for the index: list elements individually, nulls skipped. */
    private static List<String> strings(Object value) {
        if (value == null) {
            return List.of();
        }
        if (value instanceof List<?> l) {
            List<String> out = new ArrayList<>(l.size());
            for (Object o : l) {
                if (o != null) {
                    out.add(str(o));
                }
            }
            return out;
        }
        return List.of(str(value));
    }

    private static String str(Object o) {
        if (o instanceof Boolean b) {
            return b ? "True" : "False";
        }
        return String.valueOf(o);
    }

    @Override
    public BackendResult lookup(List<LookupRequest> requests) {
        List<BackendEntry> out = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            Set<String> matches = new LinkedHashSet<>();
            for (String value : requests.get(i).values()) {
                if (entries.containsKey(value)) {
                    matches.add(value);
                    continue;
                }
                for (String field : searchFields) {
                    matches.addAll(index.get(field).getOrDefault(value, List.of()));
                }
            }
            for (String key : matches) {
                out.add(new BackendEntry.Found(entries.get(key), List.of(i)));
            }
        }
        return BackendResult.of(out);
    }

    @Override
    public void enumerate(Consumer<String> addresses) {
        entries.keySet().forEach(addresses);
        for (Map<String, List<String>> byValue : index.values()) {
            byValue.keySet().forEach(addresses);
        }
    }

    @Override
    public String translationError() {
        return "500 YAML processing error";
    }
}
