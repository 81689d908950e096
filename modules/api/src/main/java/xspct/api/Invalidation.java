package xspct.api;

import java.util.List;

/**
 * Entries another instance removed from a shared cache tier, announced so that every instance drops them from its
 * in-process caches too.
 *
 * @param addresses the addresses whose alias, negative and user entries were removed; empty when {@code all}
 * @param all       true when every entry was removed
 */
public record Invalidation(List<String> addresses, boolean all) {

    /** Creates an invalidation, copying the addresses. */
    public Invalidation {
        addresses = List.copyOf(addresses);
    }

    /**
     * An invalidation of some addresses.
     *
     * @param addresses the addresses
     * @return the invalidation
     */
    public static Invalidation of(List<String> addresses) {
        return new Invalidation(addresses, false);
    }

    /** {@return an invalidation of every entry} */
    public static Invalidation everything() {
        return new Invalidation(List.of(), true);
    }
}
