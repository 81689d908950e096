package xspct.core.rspamd;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import xspct.api.ConfigNode;

/**
 * Reject-level translation (SPEC 9.3): {@code xspct_db_reject_level_map} maps a recipient's {@code reject_level}
 * (compared as a string) to a reject threshold; {@code xspct_db_reject_level_default} is the threshold that needs no
 * override.
 *
 * @param levels       level string to threshold ({@code Long} or {@code Double}), in file order
 * @param defaultLevel the default threshold
 */
public record RejectLevels(Map<String, Number> levels, long defaultLevel) {

    /** Copies the map. */
    public RejectLevels {
        levels = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(levels));
    }

    /**
     * Reads both keys from the configuration root.
     *
     * @param root the configuration root
     * @return the translation
     */
    public static RejectLevels read(ConfigNode root) {
        ConfigNode mapNode = root.get("xspct_db_reject_level_map");
        Map<String, Number> levels = new LinkedHashMap<>();
        if (!mapNode.exists()) {
            levels.put("5", 13L);
            levels.put("6", 15L);
            levels.put("6.31", 17L);
        } else if (mapNode.raw() instanceof Map<?, ?> raw) {
            for (Map.Entry<?, ?> e : raw.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    mapNode.warning("key " + e.getKey() + " is not a string and never matches (levels are "
                            + "compared as strings, as in the original); quote it, e.g. \"" + e.getKey() + "\"");
                    continue;
                }
                Number n = threshold(e.getValue());
                if (n == null) {
                    mapNode.get(key).problem("must be a number (the reject threshold)");
                } else {
                    levels.put(key, n);
                }
            }
        } else if (!mapNode.isNull()) {
            mapNode.problem("must be a mapping of reject levels (quoted) to thresholds");
        }
        double def = root.get("xspct_db_reject_level_default").asDouble(15);
        return new RejectLevels(levels, (long) def); // int() of the original truncates
    }

    private static Number threshold(Object v) {
        return switch (v) {
            case Long l -> l;
            case Integer i -> (long) i;
            case BigInteger b -> b.bitLength() < 63 ? b.longValue() : b.doubleValue();
            case Double d -> d;
            case Float f -> f.doubleValue();
            case BigDecimal d -> d.doubleValue();
            case null, default -> null;
        };
    }

    /**
     * The reject threshold to set for these recipients: present only when every recipient has a mapped level and
     * the smallest mapped threshold differs from the default.
     *
     * @param recipients the recipient user objects
     * @return the threshold ({@code Long} or {@code Double}), or empty
     */
    public Optional<Number> rejectFor(Collection<Map<String, Object>> recipients) {
        if (recipients.isEmpty()) {
            return Optional.empty();
        }
        Number min = null;
        for (Map<String, Object> r : recipients) {
            Object level = r.get("reject_level");
            if (level instanceof List<?> l) {
                level = l.isEmpty() ? null : l.get(0);
            }
            if (level == null || (level instanceof String s && s.isEmpty())) {
                return Optional.empty();
            }
            Number mapped = levels.get(PyValues.str(level));
            if (mapped == null) {
                return Optional.empty();
            }
            if (min == null || PyValues.decimal(mapped).compareTo(PyValues.decimal(min)) < 0) {
                min = mapped;
            }
        }
        if (PyValues.decimal(min).compareTo(BigDecimal.valueOf(defaultLevel)) == 0) {
            return Optional.empty();
        }
        return Optional.of(min);
    }
}
