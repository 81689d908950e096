package xspct.core.lookup;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The user records a lookup found, by primary key, in discovery order. A record is the attribute map a backend
 * produced (values are normally lists of strings). Not thread-safe: one request owns it.
 */
public final class UserRecords {
    // sized for a lookup of one address, the hot path; larger answers grow it
    private final Map<String, Map<String, Object>> byKey = new LinkedHashMap<>(4);

    /**
     * The record of a primary key.
     *
     * @param primaryKey the primary key
     * @return the record, or null
     */
    public Map<String, Object> get(String primaryKey) {
        return byKey.get(primaryKey);
    }

    /**
     * Whether a record is held under a key.
     *
     * @param primaryKey the primary key
     * @return true when present
     */
    public boolean contains(String primaryKey) {
        return byKey.containsKey(primaryKey);
    }

    /** {@return the number of records} */
    public int size() {
        return byKey.size();
    }

    /** {@return true when there is no record} */
    public boolean isEmpty() {
        return byKey.isEmpty();
    }

    /**
     * Visits every record in discovery order.
     *
     * @param action called with the primary key and the record
     */
    public void forEach(BiConsumer<String, Map<String, Object>> action) {
        byKey.forEach(action);
    }

    /** {@return a read-only view, primary key to record, for the wire and the cache tiers} */
    public Map<String, Map<String, Object>> asMap() {
        return Collections.unmodifiableMap(byKey);
    }

    /** Sets the record of a key, replacing any. */
    void put(String primaryKey, Map<String, Object> record) {
        byKey.put(primaryKey, record);
    }

    /** Sets the record of a key unless one is held. */
    void putIfAbsent(String primaryKey, Map<String, Object> record) {
        byKey.putIfAbsent(primaryKey, record);
    }

    /**
     * Merges a record into the one held under the key (lists concatenated, equal lists kept once). The held record
     * is never changed in place: it may be a cache tier's shared instance.
     */
    void merge(String primaryKey, Map<String, Object> record) {
        Map<String, Object> existing = byKey.get(primaryKey);
        @SuppressWarnings("unchecked")
        Map<String, Object> copy = (Map<String, Object>) UserMerge.copy(existing == null ? record : existing);
        if (existing != null) {
            UserMerge.into(copy, record);
        }
        byKey.put(primaryKey, copy);
    }
}
