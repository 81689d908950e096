package xspct.cache.caffeine;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The attribute names of cached users, each stored once and referred to by a small number: user objects repeat
 * the same few names (the configured attributes), so a compact entry holds an index instead of the text. Bounded:
 * once {@link #CAPACITY} names are known, further names are stored in the entry itself.
 */
final class AttributeNames {
    static final int CAPACITY = 4096;

    private final ConcurrentHashMap<String, Integer> indexes = new ConcurrentHashMap<>();
    private final AtomicReferenceArray<String> names = new AtomicReferenceArray<>(CAPACITY);

    /** {@return the index of a name, registering it if there is room; -1 when the table is full} */
    int indexOf(String name) {
        Integer i = indexes.get(name);
        if (i != null) {
            return i;
        }
        if (indexes.size() >= CAPACITY) {
            return -1;
        }
        synchronized (this) {
            i = indexes.get(name);
            if (i != null) {
                return i;
            }
            int next = indexes.size();
            if (next >= CAPACITY) {
                return -1;
            }
            names.set(next, name); // published before the index can be read
            indexes.put(name, next);
            return next;
        }
    }

    /** {@return the name of an index that {@link #indexOf} returned} */
    String name(int index) {
        return names.get(index);
    }
}
