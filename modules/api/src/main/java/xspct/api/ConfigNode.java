package xspct.api;

import java.util.List;
import java.util.Map;

/**
 * A read-only view of one node of the YAML configuration file.
 *
 * <p>Typed accessors never throw for a wrong value: they record a problem against the node's key path and return
 * the default, so that a bad configuration is reported with every problem at once when the service starts.
 * Scalars follow the original service's YAML 1.1 reading: unquoted {@code yes/no/true/false} are booleans,
 * unquoted numbers are numbers, and numeric strings such as {@code "11350"} are accepted where a number is
 * expected.
 */
public interface ConfigNode {

    /** {@return the dotted key path of this node, e.g. {@code xspct_db_queries.users.server}} */
    String path();

    /** {@return true if the key is present in the file (its value may be null)} */
    boolean exists();

    /** {@return true if the key is absent or its value is null} */
    boolean isNull();

    /** {@return true if the value is a mapping} */
    boolean isMap();

    /** {@return true if the value is a sequence} */
    boolean isList();

    /**
     * Child node of a mapping.
     *
     * @param key the child key (used verbatim: keys may contain dots, such as addresses)
     * @return the child; a node that does not {@linkplain #exists() exist} when absent or when this is no mapping
     */
    ConfigNode get(String key);

    /** {@return the elements of a sequence; empty (and a problem recorded) if the value is present but no list} */
    List<ConfigNode> list();

    /** {@return the entries of a mapping in file order; empty (and a problem recorded) if present but no map} */
    Map<String, ConfigNode> map();

    /**
     * The value as plain Java data: {@code String}, {@code Long}, {@code Double}, {@code Boolean},
     * {@code java.math.BigInteger}, {@code List}, ordered {@code Map}, other YAML scalars as parsed, or null.
     *
     * @return the raw value, or null when absent
     */
    Object raw();

    /**
     * The value as a string. Numbers and booleans are rendered as text.
     *
     * @param defaultValue returned when absent or null
     * @return the string
     */
    String asString(String defaultValue);

    /**
     * The value as an int; numeric strings are accepted.
     *
     * @param defaultValue returned when absent, null, or invalid (a problem is recorded when invalid)
     * @return the number
     */
    int asInt(int defaultValue);

    /**
     * The value as a double; numeric strings are accepted.
     *
     * @param defaultValue returned when absent, null, or invalid (a problem is recorded when invalid)
     * @return the number
     */
    double asDouble(double defaultValue);

    /**
     * The value as a boolean; YAML booleans, {@code "true"}/{@code "false"}/{@code "yes"}/{@code "no"} and 0/1.
     *
     * @param defaultValue returned when absent, null, or invalid (a problem is recorded when invalid)
     * @return the flag
     */
    boolean asBoolean(boolean defaultValue);

    /**
     * The value as a list of strings; a single string is read as a one-element list.
     *
     * @param defaultValue returned when absent or null
     * @return an immutable list
     */
    List<String> asStringList(List<String> defaultValue);

    /**
     * The value as a mapping of strings to strings, in file order.
     *
     * @return an immutable map, empty when absent or null
     */
    Map<String, String> asStringMap();

    /**
     * Reads a required string.
     *
     * @return the string, or the empty string with a problem recorded when absent, null or empty
     */
    String requireString();

    /**
     * Records a configuration problem at this node's key path; the service refuses to start and lists it.
     *
     * @param message what is wrong, e.g. {@code "must be an ldap:// or ldaps:// URL"}
     */
    void problem(String message);

    /**
     * Records a warning at this node's key path: a value the original service tolerated, which this service
     * tolerates too. The service starts and logs it; {@code --check} lists it; {@code --strict} refuses to start.
     * Say what the value is and what happens instead, e.g. {@code "invalid regular expression '[a': rule skipped"}.
     *
     * <p>The default records nothing (API 1.2 nodes); the core's nodes record it.
     *
     * @param message the value, what is wrong with it, and what the service does instead
     * @since API 1.3
     */
    default void warning(String message) {
    }
}
