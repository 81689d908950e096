package xspct.core.lookup;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Merges an incoming user object into an existing one, in place, as xspct_db does : maps merge
 * recursively, equal values are kept once, lists are extended, scalars are promoted to lists.
 */
final class UserMerge {
    private UserMerge() {
    }

    @SuppressWarnings("unchecked")
    static void into(Map<String, Object> existing, Map<String, Object> incoming) {
        for (Map.Entry<String, Object> e : incoming.entrySet()) {
            String k = e.getKey();
            Object v = e.getValue();
            if (!existing.containsKey(k)) {
                existing.put(k, copy(v));
                continue;
            }
            Object old = existing.get(k);
            if (old instanceof Map && v instanceof Map) {
                into((Map<String, Object>) old, (Map<String, Object>) v);
            } else if (Objects.equals(old, v)) {
                // unchanged: identical lists are not duplicated
            } else if (old instanceof List<?> ol) {
                List<Object> merged = new ArrayList<>(ol);
                if (v instanceof List<?> vl) {
                    merged.addAll(vl);
                } else {
                    merged.add(v);
                }
                existing.put(k, merged);
            } else if (v instanceof List<?> vl) {
                List<Object> merged = new ArrayList<>(vl.size() + 1);
                merged.add(old);
                merged.addAll(vl);
                existing.put(k, merged);
            } else {
                List<Object> merged = new ArrayList<>(2);
                merged.add(old);
                merged.add(v);
                existing.put(k, merged);
            }
        }
    }

    /** Deep copy of the mutable containers, so merges never alter a cached or shared object. */
    @SuppressWarnings("unchecked")
    static Object copy(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new java.util.LinkedHashMap<>();
            ((Map<String, Object>) m).forEach((k, x) -> out.put(k, copy(x)));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            for (Object x : l) {
                out.add(copy(x));
            }
            return out;
        }
        return v;
    }
}
