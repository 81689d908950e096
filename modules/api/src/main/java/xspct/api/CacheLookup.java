package xspct.api;

import java.util.Map;
import java.util.Objects;

/**
 * The answer of a {@link CacheTier} for one address.
 */
public sealed interface CacheLookup {

    /** The tier holds no entry for the address. */
    CacheLookup MISS = new Miss();

    /** The address is known not to exist. */
    CacheLookup NEGATIVE = new Negative();

    /**
     * The tier knows the address.
     *
     * @param primaryKey the primary key the address belongs to
     * @param user       the user object (JSON-like: strings, numbers, booleans, null, lists, maps)
     */
    record Positive(String primaryKey, Map<String, Object> user) implements CacheLookup {
        /** Creates a positive answer. */
        public Positive {
            Objects.requireNonNull(primaryKey, "primaryKey");
            Objects.requireNonNull(user, "user");
        }
    }

    /** See {@link #NEGATIVE}. */
    record Negative() implements CacheLookup {
    }

    /** See {@link #MISS}. */
    record Miss() implements CacheLookup {
    }
}
