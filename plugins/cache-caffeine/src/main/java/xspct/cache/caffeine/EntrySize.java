package xspct.cache.caffeine;

import java.util.Map;

/**
 * The estimated heap of one L1 slot, for {@code max_bytes}: the address, the slot, its alias text and user bytes,
 * and the fixed cost of a cache entry (Caffeine's node, the hash table's node and slot, the frequency sketch),
 * on a 64-bit JVM with compressed pointers. Measured by bench/run.sh (L1 heap per entry).
 */
final class EntrySize {
    /** Caffeine's node with expiry and weight, the ConcurrentHashMap node, its table slot, the sketch's share. */
    static final int FIXED = 112;
    private static final int SLOT = 24;

    private EntrySize() {
    }

    static int of(String address, Slot slot) {
        long size = FIXED + string(address) + SLOT;
        if (slot.aliasOf() != null && slot.aliasOf() != Slot.SELF) {
            size += string(slot.aliasOf());
        }
        if (slot.user() instanceof byte[] b) {
            size += align(16 + b.length);
        } else if (slot.user() instanceof Map<?, ?> m) {
            size += 64 + 160L * m.size(); // a rare immutable copy: a rough estimate of nested maps and lists
        }
        return (int) Math.min(Integer.MAX_VALUE, size);
    }

    /** A String and its array; Latin-1 text takes a byte per char, anything else two. */
    private static long string(String s) {
        boolean latin1 = true;
        for (int i = 0; i < s.length() && latin1; i++) {
            latin1 = s.charAt(i) < 0x100;
        }
        return 24 + align(16 + (long) s.length() * (latin1 ? 1 : 2));
    }

    private static long align(long n) {
        return (n + 7) & ~7L;
    }
}
