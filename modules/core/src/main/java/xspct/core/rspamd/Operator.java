package xspct.core.rspamd;

import java.util.Locale;
import java.util.Optional;

/**
 * {@code condition.operator} of an Rspamd rule (SPEC 9.2). Evaluated on the unwrapped value {@code s} (first
 * element of a list, null for an empty list) and its normalised form (strings {@code TRUE}/{@code FALSE} in any
 * case become booleans).
 */
public enum Operator {
    /** Python truthiness of the normalised value ({@code "0"} and {@code "no"} are true). */
    TRUTHY,
    /** Negation of {@link #TRUTHY}. */
    FALSY,
    /** Normalised value equals {@code condition.value} (booleans equal 1/0, no other coercion). */
    EQ,
    /** Negation of {@link #EQ}. */
    NE,
    /** The unwrapped value is not null. */
    PRESENT,
    /** The unwrapped value is null (absent, null, or an empty list). */
    ABSENT,
    /** Stands for an operator name the original does not know: the condition is false for every recipient. */
    UNKNOWN;

    /** {@return the configuration name, e.g. {@code truthy}} */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Looks an operator up by its configuration name (case-sensitive, as the original compares).
     *
     * @param name the name
     * @return the operator, or empty for an unknown name
     */
    public static Optional<Operator> byName(String name) {
        for (Operator o : values()) {
            if (o != UNKNOWN && o.configName().equals(name)) {
                return Optional.of(o);
            }
        }
        return Optional.empty();
    }

    /**
     * Evaluates the operator for one recipient value.
     *
     * @param v        the attribute value, or the rule's default when absent or null
     * @param expected {@code condition.value}
     * @return the result
     */
    boolean test(Object v, Object expected) {
        Object s = v instanceof java.util.List<?> l ? (l.isEmpty() ? null : l.get(0)) : v;
        Object n = normalise(s);
        return switch (this) {
            case TRUTHY -> PyValues.truthy(n);
            case FALSY -> !PyValues.truthy(n);
            case EQ -> PyValues.equal(n, expected);
            case NE -> !PyValues.equal(n, expected);
            case PRESENT -> s != null;
            case ABSENT -> s == null;
            case UNKNOWN -> false;
        };
    }

    static Object normalise(Object s) {
        if (s instanceof String str) {
            String up = str.toUpperCase(Locale.ROOT);
            if (up.equals("TRUE")) {
                return Boolean.TRUE;
            }
            if (up.equals("FALSE")) {
                return Boolean.FALSE;
            }
        }
        return s;
    }
}
