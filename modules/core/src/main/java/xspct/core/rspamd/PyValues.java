package xspct.core.rspamd;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * Python value semantics the original's rule evaluation relies on: truthiness, {@code ==} across numeric types
 * (booleans equal 1/0, {@code 1 == 1.0}), and {@code str()}.
 */
final class PyValues {
    private PyValues() {
    }

    static boolean truthy(Object v) {
        return switch (v) {
            case null -> false;
            case Boolean b -> b;
            case Number n -> nonZero(n);
            case String s -> !s.isEmpty();
            case List<?> l -> !l.isEmpty();
            case Map<?, ?> m -> !m.isEmpty();
            case byte[] b -> b.length > 0;
            default -> true;
        };
    }

    private static boolean nonZero(Number n) {
        BigDecimal d = decimal(n);
        return d == null || d.signum() != 0; // NaN and infinities are truthy in Python
    }

    static boolean equal(Object a, Object b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (isNumeric(a) && isNumeric(b)) {
            BigDecimal x = decimal(a);
            BigDecimal y = decimal(b);
            return x != null && y != null && x.compareTo(y) == 0;
        }
        if (a instanceof String s) {
            return s.equals(b);
        }
        if (a instanceof List<?> la && b instanceof List<?> lb) {
            if (la.size() != lb.size()) {
                return false;
            }
            for (int i = 0; i < la.size(); i++) {
                if (!equal(la.get(i), lb.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof Map<?, ?> ma && b instanceof Map<?, ?> mb) {
            if (ma.size() != mb.size()) {
                return false;
            }
            for (Map.Entry<?, ?> e : ma.entrySet()) {
                if (!mb.containsKey(e.getKey()) || !equal(e.getValue(), mb.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    static boolean isNumeric(Object o) {
        return o instanceof Number || o instanceof Boolean;
    }

    /** Exact decimal value of a number or boolean; null for NaN and infinities. */
    static BigDecimal decimal(Object o) {
        return switch (o) {
            case Boolean b -> b ? BigDecimal.ONE : BigDecimal.ZERO;
            case BigDecimal d -> d;
            case BigInteger i -> new BigDecimal(i);
            case Long l -> BigDecimal.valueOf(l);
            case Integer i -> BigDecimal.valueOf(i);
            case Short s -> BigDecimal.valueOf(s);
            case Byte b -> BigDecimal.valueOf(b);
            case Number n -> Double.isFinite(n.doubleValue()) ? new BigDecimal(n.doubleValue()) : null;
            default -> null;
        };
    }

    /** Python's {@code str()} for the scalar types the backends and YAML produce. */
    static String str(Object o) {
        return switch (o) {
            case null -> "None";
            case Boolean b -> b ? "True" : "False";
            case Double d -> pyFloat(d);
            case Float f -> pyFloat(f.doubleValue());
            case byte[] b -> new String(b, java.nio.charset.StandardCharsets.UTF_8);
            default -> String.valueOf(o);
        };
    }

    private static String pyFloat(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        return Double.toString(d);
    }
}
