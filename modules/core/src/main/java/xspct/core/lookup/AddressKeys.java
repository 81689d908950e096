package xspct.core.lookup;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which primary key each address resolved to, in discovery order. An address is found iff it has a key. Not
 * thread-safe: one request owns it.
 */
public final class AddressKeys {
    // sized for a lookup of one address, the hot path; larger answers grow it
    private final Map<String, String> keys = new LinkedHashMap<>(4);

    /**
     * The primary key of an address.
     *
     * @param address the address
     * @return the primary key, or null when the address was not found
     */
    public String get(String address) {
        return keys.get(address);
    }

    /**
     * Whether an address was found.
     *
     * @param address the address
     * @return true when it has a primary key
     */
    public boolean found(String address) {
        return keys.containsKey(address);
    }

    /** {@return a read-only view, address to primary key} */
    public Map<String, String> asMap() {
        return Collections.unmodifiableMap(keys);
    }

    void put(String address, String primaryKey) {
        keys.put(address, primaryKey);
    }

    void putIfAbsent(String address, String primaryKey) {
        keys.putIfAbsent(address, primaryKey);
    }

    void putAll(AddressKeys other) {
        keys.putAll(other.keys);
    }

    /** {@return a copy without the given addresses} */
    AddressKeys without(Collection<String> addresses) {
        AddressKeys copy = new AddressKeys();
        copy.keys.putAll(keys);
        copy.keys.keySet().removeAll(addresses);
        return copy;
    }
}
