package xspct.core.lookup;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The requested addresses a lookup admits, each with its canonical form: over-long addresses are dropped, the
 * rewrite rules give the canonical address, and the prefilter drops addresses whose canonical form it rejects.
 * Computed once per request (the response cache key and the lookup share it).
 */
public final class CanonicalAddresses {
    /**
     * Longer addresses are answered as unknown without reaching regular expressions, caches or backends: no mail
     * address is that long (RFC 5321 limits a path to 256 octets), and a bounded length bounds the regex work an
     * attacker can cause.
     */
    public static final int MAX_ADDRESS_LENGTH = 320;

    private final Collection<String> requested;
    private final Map<String, String> canonicalOf;

    private CanonicalAddresses(Collection<String> requested, Map<String, String> canonicalOf) {
        this.requested = requested;
        this.canonicalOf = canonicalOf;
    }

    /**
     * Canonicalises requested addresses: each distinct address is rewritten once, each distinct canonical address
     * prefiltered once.
     *
     * @param requested the requested addresses, duplicates allowed
     * @param rewrite   the rewrite rules
     * @param prefilter the prefilter
     * @return the admitted addresses, de-duplicated, in first-seen order
     */
    static CanonicalAddresses of(Collection<String> requested, RewriteRules rewrite, Prefilter prefilter) {
        // sized for the request: a lookup of one address makes these maps on every request
        Map<String, String> rewritten = LinkedHashMap.newLinkedHashMap(requested.size());
        for (String o : requested) {
            if (o.length() <= MAX_ADDRESS_LENGTH && !rewritten.containsKey(o)) {
                rewritten.put(o, rewrite.apply(o));
            }
        }
        if (prefilter == Prefilter.OPEN) {
            return new CanonicalAddresses(requested, rewritten);
        }
        // each canonical address is asked once; the map of the admitted is only made when one is refused
        boolean[] pass = new boolean[rewritten.size()];
        Map<String, Boolean> asked = pass.length > 1 ? HashMap.newHashMap(pass.length) : null;
        int i = 0;
        int refused = 0;
        for (String c : rewritten.values()) {
            pass[i] = asked == null ? prefilter.pass(c) : asked.computeIfAbsent(c, prefilter::pass);
            refused += pass[i++] ? 0 : 1;
        }
        if (refused == 0) {
            return new CanonicalAddresses(requested, rewritten);
        }
        Map<String, String> admitted = LinkedHashMap.newLinkedHashMap(pass.length - refused);
        i = 0;
        for (Map.Entry<String, String> e : rewritten.entrySet()) {
            if (pass[i++]) {
                admitted.put(e.getKey(), e.getValue());
            }
        }
        return new CanonicalAddresses(requested, admitted);
    }

    /** {@return the addresses as requested, duplicates and rejected ones included} */
    Collection<String> requested() {
        return requested;
    }

    /** {@return the admitted requested addresses, de-duplicated, in first-seen order} */
    public List<String> originals() {
        return List.copyOf(canonicalOf.keySet());
    }

    /** {@return true when no address was admitted} */
    public boolean isEmpty() {
        return canonicalOf.isEmpty();
    }

    /**
     * Whether a requested address was admitted.
     *
     * @param original the address as requested
     * @return true when admitted
     */
    public boolean admitted(String original) {
        return canonicalOf.containsKey(original);
    }

    /**
     * The canonical form of an admitted address.
     *
     * @param original the address as requested
     * @return the canonical address, or null when not admitted
     */
    public String canonical(String original) {
        return canonicalOf.get(original);
    }

    /** {@return the distinct canonical addresses, in first-seen order} */
    Collection<String> canonicals() {
        if (canonicalOf.size() == 1) { // a lookup of one address: no set to make
            return canonicalOf.values();
        }
        return new LinkedHashSet<>(canonicalOf.values());
    }

    /** {@return admitted originals with their canonical addresses, in first-seen order} */
    Map<String, String> asMap() {
        return canonicalOf;
    }
}
