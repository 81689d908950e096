package xspct.api.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import xspct.api.ConfigNode;

/**
 * A {@link ConfigNode} over plain Java data, for plugin tests: a plugin reads its section from it as from the core's
 * configuration file, without depending on the core. Values are what a YAML file yields: {@code String},
 * {@code Number}, {@code Boolean}, {@code List}, {@code Map} (use {@link LinkedHashMap} where order matters) or
 * null. The problems and warnings the plugin records are collected on the root, each prefixed with its key path.
 *
 * <pre>{@code
 * MapConfigNode root = MapConfigNode.of(Map.of("xspct_db_local_cache", Map.of("expire", -1)));
 * LocalCacheSettings.read(root.get("xspct_db_local_cache"));
 * assertEquals(List.of("xspct_db_local_cache.expire: must be a number of seconds, 0 or more, got -1"),
 *         root.problems());
 * }</pre>
 *
 * @since API 2.3
 */
public final class MapConfigNode implements ConfigNode {
    private final String path;
    private final boolean exists;
    private final Object value;
    private final List<String> problems;
    private final List<String> warnings;

    private MapConfigNode(String path, boolean exists, Object value, List<String> problems, List<String> warnings) {
        this.path = path;
        this.exists = exists;
        this.value = value;
        this.problems = problems;
        this.warnings = warnings;
    }

    /**
     * A root node (empty key path) over a mapping.
     *
     * @param root the top-level keys and their values
     * @return the root node
     */
    public static MapConfigNode of(Map<String, ?> root) {
        return new MapConfigNode("", true, root, new ArrayList<>(), new ArrayList<>());
    }

    /** {@return the problems recorded on this tree so far, as {@code key.path: message}, in order} */
    public List<String> problems() {
        return Collections.unmodifiableList(problems);
    }

    /** {@return the warnings recorded on this tree so far, as {@code key.path: message}, in order} */
    public List<String> warnings() {
        return Collections.unmodifiableList(warnings);
    }

    private MapConfigNode child(String childPath, boolean present, Object childValue) {
        return new MapConfigNode(childPath, present, childValue, problems, warnings);
    }

    private String childPath(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    @Override
    public String path() {
        return path;
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
    public ConfigNode get(String key) {
        if (value instanceof Map<?, ?> m && m.containsKey(key)) {
            return child(childPath(key), true, m.get(key));
        }
        return child(childPath(key), false, null);
    }

    @Override
    public List<ConfigNode> list() {
        if (value instanceof List<?> l) {
            List<ConfigNode> out = new ArrayList<>();
            for (int i = 0; i < l.size(); i++) {
                out.add(child(path + "[" + i + "]", true, l.get(i)));
            }
            return List.copyOf(out);
        }
        if (value != null) {
            problem("must be a list");
        }
        return List.of();
    }

    @Override
    public Map<String, ConfigNode> map() {
        if (value instanceof Map<?, ?> m) {
            Map<String, ConfigNode> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(String.valueOf(k), child(childPath(String.valueOf(k)), true, v)));
            return Collections.unmodifiableMap(out);
        }
        if (value != null) {
            problem("must be a mapping");
        }
        return Map.of();
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
        if (value instanceof String || value instanceof Number || value instanceof Boolean) {
            return value.toString();
        }
        problem("must be a string");
        return defaultValue;
    }

    @Override
    public int asInt(int defaultValue) {
        if (value == null) {
            return defaultValue;
        }
        try {
            if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
                return Math.toIntExact(n.longValue());
            }
            if (value instanceof String s) {
                return Integer.parseInt(s.trim());
            }
        } catch (ArithmeticException | NumberFormatException e) {
            // reported below
        }
        problem("must be an integer, not '" + value + "'");
        return defaultValue;
    }

    @Override
    public double asDouble(double defaultValue) {
        if (value == null) {
            return defaultValue;
        }
        try {
            if (value instanceof Number n) {
                return n.doubleValue();
            }
            if (value instanceof String s) {
                return Double.parseDouble(s.trim());
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problem("must be a number, not '" + value + "'");
        return defaultValue;
    }

    @Override
    public boolean asBoolean(boolean defaultValue) {
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        String s = value.toString().trim().toLowerCase(Locale.ROOT);
        switch (s) {
            case "true", "yes", "1" -> {
                return true;
            }
            case "false", "no", "0" -> {
                return false;
            }
            default -> {
                problem("must be true or false, not '" + value + "'");
                return defaultValue;
            }
        }
    }

    @Override
    public List<String> asStringList(List<String> defaultValue) {
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof List<?> l) {
            return l.stream().map(String::valueOf).toList();
        }
        return List.of(value.toString());
    }

    @Override
    public Map<String, String> asStringMap() {
        Map<String, String> out = new LinkedHashMap<>();
        map().forEach((k, v) -> out.put(k, v.asString(null)));
        return Collections.unmodifiableMap(out);
    }

    @Override
    public String requireString() {
        String s = asString(null);
        if (s == null || s.isEmpty()) {
            problem("is required");
            return "";
        }
        return s;
    }

    @Override
    public void problem(String message) {
        problems.add(path + ": " + message);
    }

    @Override
    public void warning(String message) {
        warnings.add(path + ": " + message);
    }
}
