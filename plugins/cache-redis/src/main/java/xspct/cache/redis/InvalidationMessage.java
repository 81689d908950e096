package xspct.cache.redis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import xspct.api.Invalidation;

/**
 * The payload published on {@code invalidation_channel}: {@code {"all": false, "users": ["a@example.org"]}} or
 * {@code {"all": true, "users": []}}. Other publishers may use the same format.
 */
final class InvalidationMessage {
    private InvalidationMessage() {
    }

    static String encode(Invalidation inv) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("all", inv.all());
        m.put("users", inv.addresses());
        return PythonJson.write(m);
    }

    /** {@return the invalidation, or empty for a payload in another format} */
    static Optional<Invalidation> decode(String payload) {
        Map<String, Object> m;
        try {
            m = PythonJson.readObject(payload);
        } catch (PythonJson.MalformedJsonException e) {
            return Optional.empty();
        }
        if (Boolean.TRUE.equals(m.get("all"))) {
            return Optional.of(Invalidation.everything());
        }
        if (!(m.get("users") instanceof List<?> l)) {
            return Optional.empty();
        }
        List<String> users = new ArrayList<>(l.size());
        for (Object o : l) {
            if (o instanceof String s) {
                users.add(s);
            }
        }
        return users.isEmpty() ? Optional.empty() : Optional.of(Invalidation.of(users));
    }
}
