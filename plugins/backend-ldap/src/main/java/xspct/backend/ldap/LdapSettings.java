package xspct.backend.ldap;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPURL;

import xspct.api.ConfigNode;
import xspct.api.QueryContext;

/**
 * The keys of one {@code ldap} query, read and checked once. Every problem is reported against its key path.
 *
 * @param queryName      the query name (log prefix, pool name)
 * @param url            {@code server} as given (for log lines)
 * @param host           host of the server URL
 * @param port           port of the server URL (389 or 636 when absent)
 * @param ldaps          true for an {@code ldaps://} URL
 * @param startTls       {@code use_tls}
 * @param verifyCerts    {@code verify_certs}
 * @param caCertDir      {@code ca_cert_dir}, if set
 * @param bindDn         {@code bind_dn}
 * @param bindPassword   {@code bind_dn_pw}
 * @param baseDn         {@code base_dn}
 * @param filter         {@code search_filter} compiled with {@code search_filter_replace}
 * @param attributes     attributes to request; empty = all user attributes
 * @param minConnections {@code pool_minconn}
 * @param maxConnections {@code pool_maxconn}
 * @param connectTimeoutMillis {@code connect_timeout}
 * @param queryTimeoutMillis   {@code query_timeout}
 * @param changeFeed     {@code change_feed}, when the query follows changes of its entries
 */
record LdapSettings(String queryName, String url, String host, int port, boolean ldaps, boolean startTls,
                    boolean verifyCerts, Optional<String> caCertDir, String bindDn, String bindPassword,
                    String baseDn, FilterTemplate filter, List<String> attributes, int minConnections,
                    int maxConnections, int connectTimeoutMillis, int queryTimeoutMillis,
                    Optional<WatchedEntries> changeFeed) {

    static final Set<String> FIELDS = Set.of("username", "address", "userpart", "domain");

    /**
     * Reads the settings.
     *
     * @return the settings, or empty when a problem was reported (the service will not start)
     */
    static Optional<LdapSettings> read(QueryContext ctx) {
        ConfigNode q = ctx.query();
        boolean ok = true;

        ConfigNode serverNode = q.get("server");
        String server = serverNode.requireString();
        String host = "";
        int port = 0;
        boolean ldaps = false;
        if (server.isEmpty()) {
            ok = false;
        } else {
            String url = server.contains("://") ? server : "ldap://" + server;
            try {
                LDAPURL u = new LDAPURL(url);
                ldaps = "ldaps".equalsIgnoreCase(u.getScheme());
                if (!u.hostProvided()) {
                    serverNode.problem("the URL '" + server + "' names no host");
                    ok = false;
                }
                host = u.getHost();
                port = u.getPort();
            } catch (LDAPException e) {
                serverNode.problem("must be an ldap:// or ldaps:// URL such as ldap://ldap.example.org:389, got '"
                        + server + "'");
                ok = false;
            }
        }
        boolean startTls = q.get("use_tls").asBoolean(false);
        if (startTls && ldaps) {
            q.get("use_tls").problem("StartTLS cannot be used on an ldaps:// connection (it is already TLS); "
                    + "remove use_tls or use an ldap:// URL");
            ok = false;
        }
        boolean verify = q.get("verify_certs").asBoolean(true);
        ConfigNode caNode = q.get("ca_cert_dir");
        Optional<String> caDir = Optional.empty();
        if (!caNode.isNull()) {
            String dir = caNode.asString("");
            if (dir.isEmpty()) {
                caNode.problem("must name a directory of PEM CA certificates");
                ok = false;
            } else {
                caDir = Optional.of(dir);
                if (verify && (ldaps || startTls)) {
                    try {
                        TlsSetup.readCertificates(dir);
                    } catch (IllegalArgumentException e) {
                        caNode.problem(e.getMessage());
                        ok = false;
                    }
                }
            }
        }
        String bindDn = q.get("bind_dn").requireString();
        String bindPw = q.get("bind_dn_pw").requireString();
        ok &= !bindDn.isEmpty() && !bindPw.isEmpty();
        ConfigNode baseNode = q.get("base_dn");
        String baseDn = baseNode.requireString();
        if (baseDn.isEmpty()) {
            ok = false;
        } else if (!DN.isValidDN(baseDn)) {
            baseNode.problem("'" + baseDn + "' is not a valid DN");
            ok = false;
        }

        Map<String, String> replace = q.get("search_filter_replace").asStringMap();
        for (Map.Entry<String, String> e : replace.entrySet()) {
            if (!FIELDS.contains(e.getValue())) {
                q.get("search_filter_replace").get(e.getKey()).problem("unknown request field '" + e.getValue()
                        + "'; use one of username, address, userpart, domain");
                ok = false;
            }
            if (e.getKey().isEmpty()) {
                q.get("search_filter_replace").problem("a placeholder must not be empty");
                ok = false;
            }
        }
        ConfigNode filterNode = q.get("search_filter");
        String filterText = filterNode.requireString();
        FilterTemplate filter = null;
        if (filterText.isEmpty()) {
            ok = false;
        } else if (ok) {
            try {
                filter = FilterTemplate.compile(filterText, replace);
                for (String ph : replace.keySet()) {
                    if (!filterText.contains(ph)) {
                        q.get("search_filter_replace").warning("placeholder '" + ph + "' does not occur in "
                                + "search_filter; it is not used");
                    }
                }
                if (!filter.hasPlaceholders()) {
                    filterNode.warning("has no placeholder; every lookup returns the same entries");
                }
            } catch (IllegalArgumentException e) {
                filterNode.problem(e.getMessage());
                ok = false;
            }
        }

        List<String> attributes = new ArrayList<>();
        ConfigNode al = q.get("attr_list");
        if (!al.isNull()) {
            List<String> l = al.asStringList(List.of());
            if (!l.isEmpty() && !"*".equals(l.get(0))) {
                for (String a : l) {
                    if (!"dn".equalsIgnoreCase(a) && !attributes.contains(a)) {
                        attributes.add(a);
                    }
                }
                if (filter != null) {
                    // attribution needs the searched attributes even when attr_list leaves them out of the answer
                    for (String a : filter.attributes()) {
                        if (!attributes.contains(a)) {
                            attributes.add(a);
                        }
                    }
                }
                if (attributes.isEmpty()) {
                    attributes.add("1.1"); // RFC 4511: no attributes
                }
            }
        }

        ConfigNode root = ctx.root();
        int min = q.get("pool_minconn").asInt(root.get("xspct_db_ldap_pool_minconn").asInt(2));
        int max = q.get("pool_maxconn").asInt(root.get("xspct_db_ldap_pool_maxconn").asInt(20));
        if (min < 0) {
            q.get("pool_minconn").problem("must be 0 or more, got " + min);
            ok = false;
        }
        if (max < 1) {
            q.get("pool_maxconn").problem("must be 1 or more, got " + max);
            ok = false;
        } else if (min > max) {
            q.get("pool_minconn").problem("must not exceed pool_maxconn (" + max + "), got " + min);
            ok = false;
        }
        int connectMs = timeoutMillis(q.get("connect_timeout"), 5);
        int queryMs = timeoutMillis(q.get("query_timeout"), 10);
        ok &= connectMs > 0 && queryMs > 0;
        Optional<WatchedEntries> changeFeed = WatchedEntries.read(q);
        ok &= !q.get("change_feed").exists() || q.get("change_feed").isNull() || changeFeed.isPresent();
        if (!ok) {
            return Optional.empty();
        }
        return Optional.of(new LdapSettings(ctx.queryName(), server, host, port, ldaps, startTls, verify, caDir,
                bindDn, bindPw, baseDn, filter, List.copyOf(attributes), min, max, connectMs, queryMs, changeFeed));
    }

    private static int timeoutMillis(ConfigNode node, double defaultSeconds) {
        double s = node.asDouble(defaultSeconds);
        if (!(s > 0) || s > 3600) {
            node.problem("must be a number of seconds between 0 (exclusive) and 3600, got " + node.raw());
            return -1;
        }
        return (int) Math.max(1, Math.round(s * 1000));
    }

    /** Never prints {@code bind_dn_pw}. */
    @Override
    public String toString() {
        return "LdapSettings[" + queryName + " " + describe() + " bind_dn=" + bindDn + " base_dn=" + baseDn + "]";
    }

    /** {@return the server URL with scheme, for log lines} */
    String describe() {
        return (ldaps ? "ldaps://" : "ldap://") + host + ":" + port + (startTls ? " (StartTLS)" : "");
    }
}
