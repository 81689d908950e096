package xspct.api;

import java.util.function.Consumer;

/**
 * An optional role of a {@link Backend}: listing every address its query answers, so that a snapshot of the final
 * answers can be built. A backend that cannot list its data does not implement it (or answers {@code false} from
 * {@link #canEnumerate()}, e.g. when its query has no list filter configured) and is left out of snapshots.
 *
 * @since API 2.1
 */
public interface AddressEnumeration {

    /** {@return true when this query is configured to enumerate its addresses} */
    default boolean canEnumerate() {
        return true;
    }

    /**
     * Hands every address this query answers to the consumer, in any order, duplicates allowed. Addresses are
     * looked up afterwards through the normal resolution, so only the address is needed.
     *
     * @param addresses receives the addresses
     * @throws Exception when the backend fails; the snapshot build is then abandoned
     */
    void enumerate(Consumer<String> addresses) throws Exception;
}
