package xspct.core.pipeline;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The per-request working state of a lookup: {@code ud} (primary key to user object) and {@code u2p} (queried
 * address to primary key). An address is found iff it has a u2p entry. Not thread-safe: one request owns it.
 */
final class Answer {
    final Map<String, Map<String, Object>> users = new LinkedHashMap<>();
    final Map<String, String> u2p = new LinkedHashMap<>();

    boolean found(String address) {
        return u2p.containsKey(address);
    }

    void mergeUser(String key, Map<String, Object> user) {
        Map<String, Object> existing = users.get(key);
        if (existing == null) {
            @SuppressWarnings("unchecked")
            Map<String, Object> copy = (Map<String, Object>) UserMerge.copy(user);
            users.put(key, copy);
        } else {
            // merge into a copy: the existing object may be a cache tier's shared (immutable) instance
            @SuppressWarnings("unchecked")
            Map<String, Object> merged = (Map<String, Object>) UserMerge.copy(existing);
            UserMerge.into(merged, user);
            users.put(key, merged);
        }
    }

    /** Folds another answer into this one: users merged, u2p entries of the other win. */
    void fold(Answer other) {
        other.users.forEach(this::mergeUser);
        u2p.putAll(other.u2p);
    }
}
