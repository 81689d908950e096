package xspct.core.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The typed top-level configuration of an xspct_db file (the {@code xspct_db_*} keys), read once at start.
 *
 * @param root                      the parsed file, for plugins and sections read by later stages
 * @param listenAddresses           {@code xspct_db_listen_address}
 * @param listenPort                {@code xspct_db_listen_port}
 * @param listenBacklog             {@code xspct_db_listen_backlog}
 * @param logLevel                  {@code xspct_db_log_level} (Python numeric level)
 * @param logPrefix                 {@code xspct_db_log_prefix}
 * @param apiHeader                 {@code xspct_db_api_header}
 * @param apiKeys                   {@code xspct_db_api_key}, normalised to a list
 * @param apiKeyVerifyFail          {@code xspct_db_api_key_verify_fail}
 * @param clientMaxSize             {@code xspct_db_client_max_size} in bytes
 * @param rspamdHeader              {@code xspct_db_rspamd_header}
 * @param requestTimeout            {@code xspct_db_request_timeout} in seconds
 * @param requestTimeoutHeader      {@code xspct_db_request_timeout_header}
 * @param requestTimeoutHeaderMax   {@code xspct_db_request_timeout_header_max}
 * @param queryJsonMaxUsers         {@code xspct_db_query_json_max_users}
 * @param foregroundSlots           {@code xspct_db_foreground_slots}
 * @param backgroundSlots           {@code xspct_db_background_slots}
 * @param keyTranslation            {@code xspct_db_key_translation}
 * @param valueSplit                {@code xspct_db_value_split}
 * @param queries                   {@code xspct_db_queries} in file order
 * @param sections                  the core's sub-map sections with their defaults merged one level deep
 */
public record Settings(YamlNode root,
                       List<String> listenAddresses, int listenPort, int listenBacklog,
                       int logLevel, String logPrefix,
                       String apiHeader, List<String> apiKeys, boolean apiKeyVerifyFail,
                       long clientMaxSize, String rspamdHeader,
                       double requestTimeout, String requestTimeoutHeader, double requestTimeoutHeaderMax,
                       int queryJsonMaxUsers, int foregroundSlots, int backgroundSlots,
                       Map<String, String> keyTranslation, Map<String, String> valueSplit,
                       List<QuerySettings> queries,
                       Map<String, YamlNode> sections) {

    /** The default API key of the original service. */
    public static final String DEFAULT_API_KEY = "changeme";

    /**
     * The key of the configuration installed by the Debian package: a server with it refuses to start, so that a
     * fresh install is never reachable with a key printed in the package.
     */
    public static final String PLACEHOLDER_API_KEY = "REPLACE-WITH-YOUR-OWN-KEY";

    /** The core's sub-map sections, merged one level deep over their defaults. */
    public static final String RESPONSE_CACHE = "xspct_db_response_cache";
    /** See {@link #RESPONSE_CACHE}. */
    public static final String TLS = "xspct_db_tls";
    /** See {@link #RESPONSE_CACHE}. */
    public static final String METRICS_AUTH = "xspct_db_metrics_auth";

    /** Section key → its defaults. A plugin's section (e.g. a cache tier's) has none here: the plugin owns them. */
    private static final Map<String, SectionDefaults> SECTION_DEFAULTS = sectionDefaults();

    /** The default values of one sub-map section, in the original's key order. */
    private record SectionDefaults(Map<String, Object> values) {
    }

    /**
     * Reads and validates the settings; every problem is collected before failing.
     *
     * @param root the parsed file
     * @return the settings
     * @throws ConfigException listing every problem
     */
    public static Settings read(YamlNode root) {
        Settings s = collect(root);
        root.problems().throwIfAny(root.path().equals("(root)") ? "" : root.path());
        return s;
    }

    /**
     * Reads the settings like {@link #read}, but records problems without throwing, so that later stages (the
     * front end, the plugins) add theirs to the same list before anything is reported.
     *
     * @param root the parsed file
     * @return the settings, with defaults in place of invalid values
     */
    public static Settings collect(YamlNode root) {
        Problems p = root.problems();
        YamlNode la = root.get("xspct_db_listen_address");
        List<String> listen = la.exists() ? la.asStringList(List.of("127.0.0.1", "::1"))
                : List.of("127.0.0.1", "::1");
        if (listen.isEmpty()) {
            la.problem("needs at least one address");
        }
        int port = root.get("xspct_db_listen_port").asInt(11350);
        if (port < 0 || port > 65535) {
            root.get("xspct_db_listen_port").problem("must be a port number between 0 and 65535, got " + port);
        }
        int backlog = positive(root.get("xspct_db_listen_backlog"), 256);
        int logLevel = root.get("xspct_db_log_level").asInt(30);
        String prefix = root.get("xspct_db_log_prefix").asString("Xspct_DB");
        String header = root.get("xspct_db_api_header").asString("X-Api-Key");
        if (header.isBlank()) {
            root.get("xspct_db_api_header").problem("must name an HTTP header");
        }
        List<String> keys = root.get("xspct_db_api_key").asStringList(List.of(DEFAULT_API_KEY));
        if (keys.contains(PLACEHOLDER_API_KEY)) {
            root.get("xspct_db_api_key").problem("is still the placeholder " + PLACEHOLDER_API_KEY
                    + ": set xspct_db_api_key to your own long random key (e.g. from openssl rand -hex 32)");
        }
        if (keys.contains(DEFAULT_API_KEY)) {
            root.get("xspct_db_api_key").warning("is the default '" + DEFAULT_API_KEY + "': every client that "
                    + "knows the default can query; set your own key");
        }
        boolean verifyFail = root.get("xspct_db_api_key_verify_fail").asBoolean(true);
        if (!verifyFail) {
            root.get("xspct_db_api_key_verify_fail").warning("is false: requests without a valid API key are "
                    + "answered (permissive mode)");
        }
        long maxSize = positive(root.get("xspct_db_client_max_size"), 1048576);
        String rspamdHeader = root.get("xspct_db_rspamd_header").asString("X-Rspamd-ID");
        double timeout = nonNegative(root.get("xspct_db_request_timeout"), 0);
        String timeoutHeader = root.get("xspct_db_request_timeout_header").asString("");
        double timeoutHeaderMax = nonNegative(root.get("xspct_db_request_timeout_header_max"), 120);
        int maxUsers = positive(root.get("xspct_db_query_json_max_users"), 500);
        int fg = positive(root.get("xspct_db_foreground_slots"), 30);
        int bg = nonNegativeInt(root.get("xspct_db_background_slots"), 5);
        Map<String, String> kt = root.get("xspct_db_key_translation").asStringMap();
        Map<String, String> vs = root.get("xspct_db_value_split").asStringMap();
        for (Map.Entry<String, String> e : vs.entrySet()) {
            if (e.getValue().isEmpty()) {
                p.add("xspct_db_value_split." + e.getKey(), "the separator must not be empty");
            }
        }
        List<QuerySettings> queries = new ArrayList<>();
        root.get("xspct_db_queries").map().forEach((name, q) ->
                queries.add(QuerySettings.read(name, (YamlNode) q, kt, vs)));

        Map<String, YamlNode> sections = new LinkedHashMap<>();
        SECTION_DEFAULTS.forEach((key, defaults) -> sections.put(key, merged(root.get(key), defaults.values())));

        Settings s = new Settings(root, List.copyOf(listen), port, backlog, logLevel, prefix, header, keys,
                verifyFail, maxSize, rspamdHeader, timeout, timeoutHeader, timeoutHeaderMax, maxUsers, fg, bg,
                kt, vs, List.copyOf(queries), Map.copyOf(sections));
        return s;
    }

    /**
     * A sub-map section: one of the core's with its defaults merged one level deep, or any other (a plugin's, such
     * as a cache tier's section) as the file has it, whose plugin applies its own defaults. A section that is
     * present but not a mapping is a problem and reads as empty.
     *
     * @param key the section's top-level key, e.g. {@link #RESPONSE_CACHE}
     * @return the section
     */
    public YamlNode section(String key) {
        YamlNode n = sections.get(key);
        return n != null ? n : merged(root.get(key), Map.of());
    }

    /** {@return true when the configured keys still contain the original's default key} */
    public boolean usesDefaultApiKey() {
        return apiKeys.contains(DEFAULT_API_KEY);
    }

    private static YamlNode merged(YamlNode fileSection, Map<String, Object> defaults) {
        Map<String, Object> m = new LinkedHashMap<>(defaults);
        if (fileSection.isMap()) {
            fileSection.map().forEach((k, v) -> m.put(k, v.raw()));
        } else if (!fileSection.isNull()) {
            fileSection.problem("must be a mapping");
        }
        return YamlNode.of(fileSection.path(), m, fileSection.problems());
    }

    private static int positive(YamlNode n, int def) {
        int v = n.asInt(def);
        if (v <= 0) {
            n.problem("must be greater than 0, got " + v);
            return def;
        }
        return v;
    }

    private static int nonNegativeInt(YamlNode n, int def) {
        int v = n.asInt(def);
        if (v < 0) {
            n.problem("must not be negative, got " + v);
            return def;
        }
        return v;
    }

    private static double nonNegative(YamlNode n, double def) {
        double v = n.asDouble(def);
        if (v < 0 || Double.isNaN(v)) {
            n.problem("must not be negative, got " + v);
            return def;
        }
        return v;
    }

    private static Map<String, SectionDefaults> sectionDefaults() {
        Map<String, SectionDefaults> d = new LinkedHashMap<>();
        d.put(RESPONSE_CACHE, ordered("enabled", true, "expire", 10, "max_entries", 5000,
                "rspamd_key_fields", List.of("from", "rcpts", "mta-name", "settings-name", "settings-id")));
        d.put(TLS, ordered("tls_enabled", false, "tls_cert", "", "tls_key", ""));
        d.put(METRICS_AUTH, ordered("enabled", false, "api_key", true, "basic_auth_users", Map.of()));
        return d;
    }

    private static SectionDefaults ordered(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return new SectionDefaults(m);
    }
}
