package xspct.server;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import io.helidon.common.tls.TlsClientAuth;
import xspct.core.config.Settings;
import xspct.core.config.YamlNode;

/**
 * The keys only the HTTP front end reads: metrics, metrics authentication, TLS and connection limits. Read and
 * validated before any plugin starts, so that a bad value stops the start with exit code 2.
 *
 * @param metricsEnabled  {@code xspct_db_metrics_enabled}
 * @param metricsCacheTtl {@code xspct_db_metrics_cache_ttl} in seconds; 0 renders every scrape
 * @param metricsAuth     {@code xspct_db_metrics_auth}
 * @param tls             {@code xspct_db_tls}; empty when TLS is off
 * @param readTimeout     {@code xspct_db_read_timeout} in seconds: how long a connection may wait for the
 *                        request line of its next request (new, idle keep-alive and slow connections)
 * @param apiHeader       {@code xspct_db_api_header} (masked in DEBUG request lines)
 * @param rspamdHeader    {@code xspct_db_rspamd_header} (its value tags the log lines of a request)
 */
record ServerSettings(boolean metricsEnabled, double metricsCacheTtl, MetricsAuthSettings metricsAuth,
                      Optional<TlsSettings> tls, double readTimeout, String apiHeader, String rspamdHeader) {

    /** Header size limit of a request (request line excluded): 16 KiB. */
    static final int MAX_HEADERS_SIZE = 16 * 1024;

    /**
     * {@code xspct_db_metrics_auth} (SPEC 11).
     *
     * @param enabled    {@code enabled}; false leaves {@code /metrics} open
     * @param apiKey     {@code api_key}: the API-key header (and {@code Authorization: Bearer}) is accepted
     * @param basicUsers {@code basic_auth_users}: user name to password
     */
    record MetricsAuthSettings(boolean enabled, boolean apiKey, Map<String, String> basicUsers) {
        @Override
        public String toString() {
            return "MetricsAuthSettings[enabled=" + enabled + ", apiKey=" + apiKey + ", users=" + basicUsers.keySet()
                    + "]"; // never the passwords
        }
    }

    /**
     * {@code xspct_db_tls} with the keys the original has and the client-certificate extension.
     *
     * @param cert           {@code tls_cert}: PEM certificate chain, server certificate first
     * @param key            {@code tls_key}: PEM private key (PKCS#8 or PKCS#1)
     * @param clientCa       {@code tls_client_ca}: PEM bundle of the CAs client certificates must chain to; empty =
     *                       no client certificates
     * @param clientAuth     {@code tls_client_auth}: {@code required} (default with a CA) or {@code optional}
     * @param reloadInterval {@code tls_reload_interval} seconds between checks of the files' modification times;
     *                       0 = never reload
     */
    record TlsSettings(Path cert, Path key, Optional<Path> clientCa, TlsClientAuth clientAuth,
                       double reloadInterval) {
    }

    /**
     * Reads and validates the front-end keys; TLS files are loaded once to find problems now rather than at the
     * first connection. Problems are recorded in the settings' collector, not thrown, so that a start and
     * {@code --check} list them together with the core's and the plugins'.
     *
     * @param settings the core settings (their root carries the problem list)
     * @return the settings (with defaults in place of invalid values)
     */
    static ServerSettings read(Settings settings) {
        YamlNode root = settings.root();
        boolean enabled = root.get("xspct_db_metrics_enabled").asBoolean(false);
        YamlNode ttlNode = root.get("xspct_db_metrics_cache_ttl");
        double ttl = ttlNode.asDouble(5);
        if (!(ttl >= 0)) {
            ttlNode.problem("must not be negative, got " + ttl);
            ttl = 5;
        }
        YamlNode auth = settings.section(Settings.METRICS_AUTH);
        Map<String, String> users = new LinkedHashMap<>();
        YamlNode usersNode = auth.get("basic_auth_users");
        if (usersNode.isMap()) {
            usersNode.map().forEach((user, pw) -> {
                String p = ((YamlNode) pw).asString("");
                if (user.contains(":")) {
                    usersNode.problem("user name '" + user + "' must not contain ':'");
                } else if (p.isEmpty()) {
                    usersNode.problem("user '" + user + "' needs a non-empty password");
                } else {
                    users.put(user, p);
                }
            });
        } else if (!usersNode.isNull()) {
            usersNode.problem("must be a mapping of user name to password");
        }
        MetricsAuthSettings metricsAuth = new MetricsAuthSettings(auth.get("enabled").asBoolean(false),
                auth.get("api_key").asBoolean(true), Map.copyOf(users));
        if (metricsAuth.enabled() && !metricsAuth.apiKey() && users.isEmpty()) {
            auth.problem("enabled is true, but api_key is false and basic_auth_users is empty: nobody could "
                    + "read /metrics");
        }

        Optional<TlsSettings> tls = readTls(settings.section(Settings.TLS));
        YamlNode rt = root.get("xspct_db_read_timeout");
        double readTimeout = rt.asDouble(30);
        if (!(readTimeout > 0)) {
            rt.problem("must be greater than 0, got " + readTimeout);
            readTimeout = 30;
        }
        ServerSettings s = new ServerSettings(enabled, ttl, metricsAuth, tls, readTimeout, settings.apiHeader(),
                settings.rspamdHeader());
        if (tls.isPresent() && !tls.get().cert().toString().isBlank() && !tls.get().key().toString().isBlank()) {
            // every unusable file is reported; the files are parsed only when all of them are there
            List<ServerTls.TlsFileException> missing = ServerTls.unreadableFiles(tls.get());
            missing.forEach(e -> settings.section(Settings.TLS).get(e.key()).problem(e.getMessage()));
            if (missing.isEmpty()) {
                try {
                    ServerTls.load(tls.get());
                } catch (ServerTls.TlsFileException e) {
                    settings.section(Settings.TLS).get(e.key()).problem(e.getMessage());
                }
            }
        }
        return s;
    }

    private static Optional<TlsSettings> readTls(YamlNode n) {
        if (!n.get("tls_enabled").asBoolean(false)) {
            return Optional.empty();
        }
        String cert = n.get("tls_cert").asString("");
        String key = n.get("tls_key").asString("");
        if (cert.isBlank()) {
            n.get("tls_cert").problem("needs the PEM certificate chain file when tls_enabled is true");
        }
        if (key.isBlank()) {
            n.get("tls_key").problem("needs the PEM private key file when tls_enabled is true");
        }
        String ca = n.get("tls_client_ca").asString("");
        YamlNode authNode = n.get("tls_client_auth");
        String auth = authNode.asString(ca.isBlank() ? "none" : "required").trim().toLowerCase(Locale.ROOT);
        TlsClientAuth clientAuth = switch (auth) {
            case "required" -> TlsClientAuth.REQUIRED;
            case "optional" -> TlsClientAuth.OPTIONAL;
            case "none" -> TlsClientAuth.NONE;
            default -> null;
        };
        if (clientAuth == null) {
            authNode.problem("must be 'required' or 'optional', got '" + auth + "'");
            clientAuth = TlsClientAuth.REQUIRED;
        } else if (clientAuth != TlsClientAuth.NONE && ca.isBlank()) {
            authNode.problem("'" + auth + "' needs tls_client_ca (the CAs client certificates are checked against)");
        }
        if (clientAuth == TlsClientAuth.NONE && !ca.isBlank()) {
            authNode.problem("must be 'required' or 'optional' when tls_client_ca is set");
        }
        YamlNode ri = n.get("tls_reload_interval");
        double reload = ri.asDouble(60);
        if (!(reload >= 0)) {
            ri.problem("must not be negative, got " + reload);
            reload = 60;
        }
        return Optional.of(new TlsSettings(Path.of(cert), Path.of(key),
                ca.isBlank() ? Optional.empty() : Optional.of(Path.of(ca)), clientAuth, reload));
    }
}
