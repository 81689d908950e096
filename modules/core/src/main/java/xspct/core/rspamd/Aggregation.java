package xspct.core.rspamd;

import java.util.Optional;

/**
 * {@code aggregation} of an Rspamd rule: how the results of several recipients combine . With one
 * recipient both give that recipient's result.
 */
public enum Aggregation {
    /** Every recipient's result is true. */
    ALL,
    /** At least one recipient's result is true. */
    ANY;

    /**
     * Looks an aggregation up by its configuration name ({@code all} or {@code any}, case-sensitive).
     *
     * @param name the name
     * @return the aggregation, or empty for an unknown name
     */
    public static Optional<Aggregation> byName(String name) {
        return switch (name) {
            case "all" -> Optional.of(ALL);
            case "any" -> Optional.of(ANY);
            default -> Optional.empty();
        };
    }
}
