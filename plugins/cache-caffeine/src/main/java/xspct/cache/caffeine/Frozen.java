package xspct.cache.caffeine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Immutable deep copies of user objects. The core keeps request-local maps it mutates while merging; a cached
 * object must neither see those changes nor be changed by them. Order and null values are kept, which
 * {@code Map.copyOf} would not do.
 */
final class Frozen {
    private Frozen() {
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> user(Map<String, Object> user) {
        return (Map<String, Object>) value(user);
    }

    private static Object value(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>(Math.max(4, m.size() * 2));
            m.forEach((k, x) -> out.put(k, value(x)));
            return Collections.unmodifiableMap(out);
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            for (Object x : l) {
                out.add(value(x));
            }
            return Collections.unmodifiableList(out);
        }
        if (v instanceof byte[] b) {
            return b.clone();
        }
        return v;
    }
}
