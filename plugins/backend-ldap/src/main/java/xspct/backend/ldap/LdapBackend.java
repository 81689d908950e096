package xspct.backend.ldap;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import javax.net.ssl.SSLContext;

import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.GetEntryLDAPConnectionPoolHealthCheck;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.PostConnectProcessor;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import com.unboundid.ldap.sdk.SingleServerSet;
import com.unboundid.ldap.sdk.StartTLSPostConnectProcessor;

import xspct.api.AddressEnumeration;
import xspct.api.Backend;
import xspct.api.BackendResult;
import xspct.api.ChangeFeed;
import xspct.api.ChangeFeedContext;
import xspct.api.ChangeSource;
import xspct.api.LookupRequest;
import xspct.api.PooledBackend;
import xspct.api.QueryContext;
import xspct.api.ResourceGauges;
import xspct.api.RowAttribution;

/**
 * One {@code ldap} query: a bounded, health-checked connection pool and the compiled filter template.
 *
 * <p>A batch becomes exactly one subtree search: the per-address filters are de-duplicated and joined with
 * {@code (|...)}. The pool is created even when the directory is unreachable; it then opens connections on
 * demand, so lookups answer {@code 500 LDAP connection error} until the directory is back and recover without a
 * restart. Connections broken by a directory restart are detected (closed socket, or a failed root DSE read after
 * an error) and the search is retried once on a new connection.
 */
final class LdapBackend implements Backend, PooledBackend, ResourceGauges, AddressEnumeration, ChangeSource {
    private static final System.Logger LOG = System.getLogger(LdapBackend.class.getName());
    static final String QUERY_ERROR = "500 LDAP query error";
    static final String CONNECTION_ERROR = "500 LDAP connection error";
    static final String CONFIG_ERROR = "500 invalid query config";
    private static final long HEALTH_CHECK_INTERVAL_MILLIS = 30_000;

    private final LdapSettings settings;
    private final LDAPConnectionPool pool;
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicBoolean down = new AtomicBoolean();

    private final SnapshotListFilter listFilter;
    /** How the change feed opens its own connection: the pool's servers, bind and StartTLS. */
    private final SingleServerSet servers;
    private final SimpleBindRequest bind;
    private final PostConnectProcessor startTls;

    private LdapBackend(LdapSettings settings, LDAPConnectionPool pool, SnapshotListFilter listFilter,
                        SingleServerSet servers, SimpleBindRequest bind, PostConnectProcessor startTls) {
        this.settings = settings;
        this.pool = pool;
        this.listFilter = listFilter;
        this.servers = servers;
        this.bind = bind;
        this.startTls = startTls;
    }

    /** Reads the section and sets up TLS (reading the CA files) as {@link #create} does; connects nothing. */
    static void check(QueryContext ctx) {
        Optional<LdapSettings> read = LdapSettings.read(ctx);
        if (read.isPresent() && (read.get().ldaps() || read.get().startTls())) {
            try {
                TlsSetup.context(read.get());
            } catch (GeneralSecurityException e) {
                ctx.query().get(read.get().caCertDir().isPresent() ? "ca_cert_dir" : "verify_certs")
                        .problem("cannot set up TLS: " + e.getMessage());
            }
        }
    }

    static Backend create(QueryContext ctx) {
        Optional<LdapSettings> read = LdapSettings.read(ctx);
        if (read.isEmpty()) {
            // the core refuses to start with the recorded problems; this stand-in is never queried
            return requests -> BackendResult.failed(CONFIG_ERROR);
        }
        LdapSettings s = read.get();
        LDAPConnectionOptions opts = new LDAPConnectionOptions();
        opts.setConnectTimeoutMillis(s.connectTimeoutMillis());
        opts.setResponseTimeoutMillis(s.queryTimeoutMillis());
        opts.setAbandonOnTimeout(true);
        opts.setUsePooledSchema(false);
        opts.setSSLSocketVerifier(TlsSetup.verifier(s));
        SingleServerSet servers;
        PostConnectProcessor startTls = null;
        try {
            if (s.ldaps() || s.startTls()) {
                SSLContext tls = TlsSetup.context(s);
                if (s.ldaps()) {
                    servers = new SingleServerSet(s.host(), s.port(), tls.getSocketFactory(), opts);
                } else {
                    servers = new SingleServerSet(s.host(), s.port(), opts);
                    startTls = new StartTLSPostConnectProcessor(tls);
                }
            } else {
                servers = new SingleServerSet(s.host(), s.port(), opts);
            }
        } catch (GeneralSecurityException e) {
            ctx.query().get(s.caCertDir().isPresent() ? "ca_cert_dir" : "verify_certs")
                    .problem("cannot set up TLS: " + e.getMessage());
            return requests -> BackendResult.failed(CONFIG_ERROR);
        }
        // the root DSE is readable on every directory; read it in the background and after a failed operation
        var health = new GetEntryLDAPConnectionPoolHealthCheck("", s.queryTimeoutMillis(), false, false, false,
                false, true, true);
        LDAPConnectionPool pool;
        SimpleBindRequest bind = new SimpleBindRequest(s.bindDn(), s.bindPassword());
        try {
            // no initial connections: connecting happens in the background so an unreachable directory never
            // delays or fails the start; every missing connection is (re)created on demand
            pool = new LDAPConnectionPool(servers, bind, 0,
                    s.maxConnections(), 1, startTls, false, health);
        } catch (LDAPException e) {
            throw new IllegalStateException("query " + s.queryName() + ": cannot create the LDAP pool: "
                    + e.getMessage(), e);
        }
        pool.setConnectionPoolName("xspct-ldap-" + s.queryName());
        pool.setRetryFailedOperationsDueToInvalidConnections(true);
        // pool_maxconn is a hard cap: a lookup waits for a free connection at most query_timeout
        pool.setCreateIfNecessary(false);
        pool.setMaxWaitTimeMillis(s.queryTimeoutMillis());
        pool.setHealthCheckIntervalMillis(HEALTH_CHECK_INTERVAL_MILLIS);
        pool.setMinimumAvailableConnectionGoal(s.minConnections());
        LdapBackend backend = new LdapBackend(s, pool, SnapshotListFilter.read(ctx.query()), servers, bind,
                startTls);
        Thread.ofVirtual().name("xspct-ldap-start-" + s.queryName()).start(backend::warmUp);
        return backend;
    }

    /** Opens pool_minconn connections (at least one, as a probe) and says clearly when that is impossible. */
    private void warmUp() {
        List<LDAPConnection> opened = new ArrayList<>();
        try {
            for (int i = 0; i < Math.max(1, settings.minConnections()); i++) {
                opened.add(pool.getConnection());
            }
            LOG.log(System.Logger.Level.INFO, "query " + settings.queryName() + ": connected to "
                    + settings.describe() + " as " + settings.bindDn());
        } catch (LDAPException e) {
            if (pool.isClosed()) {
                return;
            }
            down.set(true);
            if (e.getResultCode() == ResultCode.INVALID_CREDENTIALS) {
                LOG.log(System.Logger.Level.ERROR, "query " + settings.queryName() + ": " + settings.describe()
                        + " rejected bind_dn '" + settings.bindDn() + "' with the configured bind_dn_pw (invalid "
                        + "credentials); lookups answer '" + CONNECTION_ERROR + "' until this is fixed");
            } else {
                LOG.log(System.Logger.Level.WARNING, "query " + settings.queryName() + ": cannot connect to "
                        + settings.describe() + " (" + reason(e) + "); lookups answer '" + CONNECTION_ERROR
                        + "' until it is reachable");
            }
        } finally {
            opened.forEach(pool::releaseConnection);
        }
    }

    @Override
    public boolean canEnumerate() {
        return listFilter.configured();
    }

    @Override
    public void enumerate(Consumer<String> addresses) throws LDAPException {
        listFilter.run(pool, settings.baseDn(), addresses);
    }

    @Override
    public BackendResult lookup(List<LookupRequest> requests) {
        List<List<String>> substituted = new ArrayList<>(requests.size());
        Set<String> filters = new LinkedHashSet<>();
        for (LookupRequest r : requests) {
            List<String> subs = new ArrayList<>();
            for (String v : r.values()) {
                filters.add(settings.filter().render(derived(r, v), subs));
            }
            substituted.add(subs);
        }
        String text = filters.size() == 1 ? filters.iterator().next() : "(|" + String.join("", filters) + ")";
        SearchRequest search;
        try {
            search = new SearchRequest(settings.baseDn(), SearchScope.SUB, Filter.create(text),
                    settings.attributes().toArray(String[]::new));
        } catch (LDAPException e) {
            LOG.log(System.Logger.Level.WARNING, "query " + settings.queryName() + ": cannot build the filter: "
                    + reason(e));
            return BackendResult.failed(QUERY_ERROR);
        }
        search.setResponseTimeoutMillis(settings.queryTimeoutMillis());
        search.setTimeLimitSeconds((int) Math.ceil(settings.queryTimeoutMillis() / 1000.0));
        SearchResult result;
        active.incrementAndGet();
        try {
            result = pool.search(search);
        } catch (LDAPException e) {
            return BackendResult.failed(failure(e));
        } finally {
            active.decrementAndGet();
        }
        if (down.compareAndSet(true, false)) {
            LOG.log(System.Logger.Level.INFO, "query " + settings.queryName() + ": " + settings.describe()
                    + " answers again");
        }
        List<Map<String, Object>> rows = new ArrayList<>(result.getEntryCount());
        for (SearchResultEntry e : result.getSearchEntries()) {
            rows.add(raw(e));
        }
        return BackendResult.of(new RowAttribution(requests, substituted).entries(rows));
    }

    /** Classifies a failure: the server or the connection is gone, or the search itself was refused. */
    private String failure(LDAPException e) {
        ResultCode rc = e.getResultCode();
        boolean connection = !rc.isConnectionUsable() || rc == ResultCode.CONNECT_ERROR
                || rc == ResultCode.SERVER_DOWN || rc == ResultCode.TIMEOUT || rc == ResultCode.UNAVAILABLE
                || rc == ResultCode.BUSY || rc == ResultCode.INVALID_CREDENTIALS;
        if (connection) {
            if (down.compareAndSet(false, true)) {
                LOG.log(System.Logger.Level.WARNING, "query " + settings.queryName() + ": " + settings.describe()
                        + " unavailable (" + reason(e) + "); answering '" + CONNECTION_ERROR + "' until it is back");
            }
            return CONNECTION_ERROR;
        }
        LOG.log(System.Logger.Level.WARNING, "query " + settings.queryName() + ": search below "
                + settings.baseDn() + " failed (" + reason(e) + ")");
        return QUERY_ERROR;
    }

    private static String reason(LDAPException e) {
        String diag = e.getDiagnosticMessage();
        if (diag == null || diag.isBlank()) {
            diag = e.getMessage(); // client-side failures (TLS, connect) carry their detail here
        }
        return e.getResultCode().getName() + (diag == null || diag.isBlank() ? "" : ": " + diag);
    }

    /** The request fields for one searched value: the request itself, or rebuilt from a further chained value. */
    private static LookupRequest derived(LookupRequest r, String value) {
        if (value.equals(r.username())) {
            return r;
        }
        int at = value.indexOf('@');
        return new LookupRequest(value, value, at < 0 ? value : value.substring(0, at),
                at < 0 ? r.domain() : value.substring(at + 1), List.of(value));
    }

    /** The raw entry: {@code dn} first (as one full DN), then the attributes in server order. */
    private static Map<String, Object> raw(SearchResultEntry e) {
        Map<String, Object> raw = new LinkedHashMap<>();
        raw.put("dn", List.of(e.getDN()));
        for (Attribute a : e.getAttributes()) {
            byte[][] values = a.getValueByteArrays();
            List<Object> list = new ArrayList<>(values.length);
            for (byte[] b : values) {
                list.add(text(b));
            }
            raw.merge(a.getName(), list, (x, y) -> {
                @SuppressWarnings("unchecked")
                List<Object> merged = new ArrayList<>((List<Object>) x);
                merged.addAll(list);
                return merged;
            });
        }
        return raw;
    }

    /** UTF-8 text, or the bytes themselves for binary values (the core renders those as base64). */
    private static Object text(byte[] b) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            return b;
        }
    }

    @Override
    public Map<String, Number> gauges() {
        return Map.of("active", active.get(), "idle", pool.getCurrentAvailableConnections(),
                "max", pool.getMaximumAvailableConnections());
    }

    @Override
    public String poolFamily() {
        return "ldap";
    }

    @Override
    public int poolLimit() {
        return settings.maxConnections();
    }

    /** The pool's size, as the original prints its LDAP pools. */
    @Override
    public String poolSummary() {
        return String.valueOf(active.get() + pool.getCurrentAvailableConnections());
    }

    @Override
    public ChangeFeed startChangeFeed(ChangeFeedContext context) {
        return settings.changeFeed().map(w -> new LdapChangeFeed(settings, w, context, servers, bind, startTls)
                .start()).orElse(null);
    }

    @Override
    public void close() {
        pool.close();
    }

    @Override
    public String translationError() {
        return QUERY_ERROR;
    }
}
