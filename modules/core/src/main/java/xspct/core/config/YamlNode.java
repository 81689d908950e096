package xspct.core.config;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import xspct.api.ConfigNode;

/**
 * {@link ConfigNode} over a YAML tree loaded with YAML 1.1 scalar rules. Problems go to a shared {@link Problems}.
 */
public final class YamlNode implements ConfigNode {
    private final String path;
    private final boolean exists;
    private final Object value;
    private final Problems problems;

    private YamlNode(String path, boolean exists, Object value, Problems problems) {
        this.path = path;
        this.exists = exists;
        this.value = value;
        this.problems = problems;
    }

    /**
     * The root node of a document.
     *
     * @param document the parsed document (a map, or null for an empty file)
     * @param problems where problems are recorded
     * @return the root
     */
    public static YamlNode root(Object document, Problems problems) {
        return new YamlNode("", true, document == null ? new LinkedHashMap<>() : document, problems);
    }

    /**
     * A detached node, e.g. for merged default sections.
     *
     * @param path     the key path reported in problems
     * @param value    the value
     * @param problems where problems are recorded
     * @return the node
     */
    public static YamlNode of(String path, Object value, Problems problems) {
        return new YamlNode(path, true, value, problems);
    }

    @Override
    public String path() {
        return path.isEmpty() ? "(root)" : path;
    }

    @Override
    public boolean exists() {
        return exists;
    }

    @Override
    public boolean isNull() {
        return value == null;
    }

    @Override
    public boolean isMap() {
        return value instanceof Map;
    }

    @Override
    public boolean isList() {
        return value instanceof List;
    }

    @Override
    public YamlNode get(String key) {
        String childPath = path.isEmpty() ? key : path + "." + key;
        if (value instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (key.equals(keyString(e.getKey()))) {
                    return new YamlNode(childPath, true, e.getValue(), problems);
                }
            }
        }
        return new YamlNode(childPath, false, null, problems);
    }

    @Override
    public List<ConfigNode> list() {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> l)) {
            problem("must be a list");
            return List.of();
        }
        List<ConfigNode> out = new ArrayList<>(l.size());
        for (int i = 0; i < l.size(); i++) {
            out.add(new YamlNode(path() + "[" + i + "]", true, l.get(i), problems));
        }
        return Collections.unmodifiableList(out);
    }

    @Override
    public Map<String, ConfigNode> map() {
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> m)) {
            problem("must be a mapping");
            return Map.of();
        }
        Map<String, ConfigNode> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String k = keyString(e.getKey());
            out.put(k, new YamlNode(path.isEmpty() ? k : path + "." + k, true, e.getValue(), problems));
        }
        return Collections.unmodifiableMap(out);
    }

    @Override
    public Object raw() {
        return value;
    }

    @Override
    public String asString(String defaultValue) {
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Map || value instanceof List) {
            problem("must be a single value, not a " + (value instanceof Map ? "mapping" : "list"));
            return defaultValue;
        }
        return scalarString(value);
    }

    @Override
    public int asInt(int defaultValue) {
        Number n = number();
        if (n == null) {
            return defaultValue;
        }
        if (n.doubleValue() != Math.rint(n.doubleValue()) || Math.abs(n.doubleValue()) > Integer.MAX_VALUE) {
            problem("must be a whole number, got '" + scalarString(value) + "'");
            return defaultValue;
        }
        return n.intValue();
    }

    @Override
    public double asDouble(double defaultValue) {
        Number n = number();
        return n == null ? defaultValue : n.doubleValue();
    }

    private Number number() {
        if (value == null) {
            return null;
        }
        if (value instanceof Boolean) {
            problem("must be a number, got a boolean");
            return null;
        }
        if (value instanceof Number n) {
            return n;
        }
        if (value instanceof String s) {
            try {
                return new BigDecimal(s.trim());
            } catch (NumberFormatException e) {
                problem("must be a number, got '" + s + "'");
                return null;
            }
        }
        problem("must be a number");
        return null;
    }

    @Override
    public boolean asBoolean(boolean defaultValue) {
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        if (value instanceof Number n && (n.intValue() == 0 || n.intValue() == 1)) {
            return n.intValue() == 1;
        }
        if (value instanceof String s) {
            switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "true", "yes", "on", "1" -> {
                    return true;
                }
                case "false", "no", "off", "0", "" -> {
                    return false;
                }
                default -> {
                }
            }
        }
        problem("must be true or false, got '" + scalarString(value) + "'");
        return defaultValue;
    }

    @Override
    public List<String> asStringList(List<String> defaultValue) {
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof List<?> l) {
            List<String> out = new ArrayList<>(l.size());
            for (int i = 0; i < l.size(); i++) {
                Object o = l.get(i);
                if (o == null || o instanceof Map || o instanceof List) {
                    problems.add(path() + "[" + i + "]", "must be a single value");
                } else {
                    out.add(scalarString(o));
                }
            }
            return List.copyOf(out);
        }
        if (value instanceof Map) {
            problem("must be a list");
            return defaultValue;
        }
        return List.of(scalarString(value));
    }

    @Override
    public Map<String, String> asStringMap() {
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> m)) {
            problem("must be a mapping");
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            Object v = e.getValue();
            if (v instanceof Map || v instanceof List) {
                problems.add(path() + "." + keyString(e.getKey()), "must be a single value");
            } else {
                out.put(keyString(e.getKey()), v == null ? "" : scalarString(v));
            }
        }
        return Collections.unmodifiableMap(out);
    }

    @Override
    public String requireString() {
        String s = value == null || value instanceof Map || value instanceof List ? null : scalarString(value);
        if (s == null || s.isEmpty()) {
            problem(exists ? "must be a non-empty value" : "is required");
            return "";
        }
        return s;
    }

    @Override
    public void problem(String message) {
        problems.add(path(), message);
    }

    @Override
    public void warning(String message) {
        problems.warn(path(), message);
    }

    /**
     * Renders a scalar as Python's {@code str()} would for the value types YAML produces.
     *
     * @param o the scalar
     * @return its text
     */
    public static String scalarString(Object o) {
        if (o instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (o instanceof BigInteger || o instanceof Long || o instanceof Integer) {
            return o.toString();
        }
        return String.valueOf(o);
    }

    private static String keyString(Object key) {
        return key instanceof Boolean b ? (b ? "True" : "False") : String.valueOf(key);
    }

    /** {@return the collector this node records problems in} */
    public Problems problems() {
        return problems;
    }

    @Override
    public String toString() {
        return path() + "=" + value;
    }
}
