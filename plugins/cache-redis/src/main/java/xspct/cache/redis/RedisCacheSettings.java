package xspct.cache.redis;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import redis.clients.jedis.HostAndPort;
import xspct.api.ConfigNode;

/**
 * {@code xspct_db_redis_cache} with the original's defaults, plus the keys this port adds: {@code tls},
 * {@code ca_file}, {@code db}, {@code sentinel}, {@code cluster}, {@code invalidation_channel}. The probe interval
 * is the root key {@code xspct_db_stats_sample_interval}.
 *
 * <p>{@link #toString()} leaves the passwords out, so the settings may be logged.
 *
 * @param enabled             {@code enabled}
 * @param host                {@code host} (standalone mode)
 * @param port                {@code port} (standalone mode)
 * @param user                {@code user}; empty for none
 * @param password            {@code password}; empty for none
 * @param prefixUser          {@code prefix_user}
 * @param prefixAlias         {@code prefix_alias}
 * @param prefixNegative      {@code prefix_negative_alias}
 * @param expire              {@code expire} in whole seconds (SETEX)
 * @param expireNegative      {@code expire_negative} in whole seconds
 * @param connectTimeout      {@code connect_timeout}
 * @param queryTimeout        {@code query_timeout}: socket read timeout, and the longest wait for a pooled connection
 * @param maxConnections      {@code max_connections}: pool size
 * @param maxErrors           {@code max_errors}: the breaker opens after more consecutive errors than this
 * @param tls                 {@code tls}
 * @param caFile              {@code ca_file}: PEM file of trusted CA certificates; empty for the JDK's trust store
 * @param db                  {@code db}: database index (not with {@code cluster})
 * @param sentinel            {@code sentinel}, when configured
 * @param cluster             {@code cluster}, when configured
 * @param invalidationChannel {@code invalidation_channel}: pub/sub channel for fleet-wide invalidation
 * @param sampleInterval      {@code xspct_db_stats_sample_interval}: period of the health PING
 */
record RedisCacheSettings(boolean enabled, String host, int port, String user, String password,
                          String prefixUser, String prefixAlias, String prefixNegative,
                          long expire, long expireNegative, Duration connectTimeout, Duration queryTimeout,
                          int maxConnections, int maxErrors, boolean tls, String caFile, int db,
                          Optional<Sentinel> sentinel, Optional<Cluster> cluster, String invalidationChannel,
                          Duration sampleInterval) {

    /** Default of {@code invalidation_channel}. */
    static final String DEFAULT_CHANNEL = "xspct_db_invalidate";

    /**
     * {@code sentinel}: find the master through Redis Sentinel.
     *
     * @param master   {@code master}: the monitored master's name
     * @param nodes    {@code nodes}: sentinel addresses
     * @param user     {@code user} for the sentinels; empty for none
     * @param password {@code password} for the sentinels; empty for none
     */
    record Sentinel(String master, List<HostAndPort> nodes, String user, String password) {
        @Override
        public String toString() {
            return "sentinel master " + master + " via " + nodes;
        }
    }

    /**
     * {@code cluster}: a Redis Cluster, discovered from seed nodes.
     *
     * @param nodes {@code nodes}: seed addresses
     */
    record Cluster(List<HostAndPort> nodes) {
        @Override
        public String toString() {
            return "cluster " + nodes;
        }
    }

    static RedisCacheSettings read(ConfigNode section, ConfigNode root) {
        boolean enabled = section.get("enabled").asBoolean(false);
        String host = section.get("host").asString("localhost");
        ConfigNode portNode = section.get("port");
        int port = portNode.asInt(6379);
        if (port <= 0 || port > 65535) {
            portNode.problem("must be a port number between 1 and 65535, got " + port);
        }
        String user = section.get("user").asString("");
        String password = section.get("password").asString("");
        String prefixUser = section.get("prefix_user").asString("xspct_db_user_");
        String prefixAlias = section.get("prefix_alias").asString("xspct_db_alias_");
        String prefixNegative = section.get("prefix_negative_alias").asString("xspct_db_neg_alias_");
        long expire = ttl(section.get("expire"), 60);
        long expireNegative = ttl(section.get("expire_negative"), 60);
        Duration connectTimeout = timeout(section.get("connect_timeout"), 1);
        Duration queryTimeout = timeout(section.get("query_timeout"), 1);
        ConfigNode maxConnNode = section.get("max_connections");
        int maxConnections = maxConnNode.asInt(40);
        if (maxConnections < 1) {
            maxConnNode.problem("must be at least 1, got " + maxConnections);
            maxConnections = 40;
        }
        ConfigNode maxErrNode = section.get("max_errors");
        int maxErrors = maxErrNode.asInt(2);
        if (maxErrors < 0) {
            maxErrNode.problem("must not be negative, got " + maxErrors);
            maxErrors = 2;
        }
        boolean tls = section.get("tls").asBoolean(false);
        ConfigNode caNode = section.get("ca_file");
        String caFile = caNode.asString("");
        if (!caFile.isEmpty()) {
            if (!tls) {
                caNode.problem("is only used with tls: true");
            } else if (!Files.isReadable(Path.of(caFile))) {
                caNode.problem("cannot read the file " + caFile);
            }
        }
        ConfigNode dbNode = section.get("db");
        int db = dbNode.asInt(0);
        if (db < 0) {
            dbNode.problem("must not be negative, got " + db);
            db = 0;
        }
        Optional<Sentinel> sentinel = sentinel(section.get("sentinel"));
        Optional<Cluster> cluster = cluster(section.get("cluster"));
        if (sentinel.isPresent() && cluster.isPresent()) {
            section.get("cluster").problem("cannot be combined with sentinel: configure one of them");
        }
        if (cluster.isPresent() && db != 0) {
            dbNode.problem("Redis Cluster has only database 0");
        }
        ConfigNode channelNode = section.get("invalidation_channel");
        String channel = channelNode.asString(DEFAULT_CHANNEL);
        if (channel.isEmpty()) {
            channelNode.problem("must name a pub/sub channel");
            channel = DEFAULT_CHANNEL;
        }
        ConfigNode sampleNode = root.get("xspct_db_stats_sample_interval");
        double sample = sampleNode.asDouble(10);
        if (!(sample > 0) || Double.isInfinite(sample)) {
            sampleNode.problem("must be a number of seconds greater than 0, got " + sampleNode.raw());
            sample = 10;
        }
        return new RedisCacheSettings(enabled, host, port, user, password, prefixUser, prefixAlias,
                prefixNegative, expire, expireNegative, connectTimeout, queryTimeout, maxConnections, maxErrors,
                tls, caFile, db, sentinel, cluster, channel, millis(sample));
    }

    /** Where the cache lives, for log lines (never a password). */
    String describe() {
        String scheme = tls ? "rediss://" : "redis://";
        if (sentinel.isPresent()) {
            return sentinel.get() + (tls ? " (TLS)" : "") + ", db " + db;
        }
        if (cluster.isPresent()) {
            return cluster.get() + (tls ? " (TLS)" : "");
        }
        return scheme + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/" + db;
    }

    @Override
    public String toString() {
        return "RedisCacheSettings[" + describe() + ", user=" + (user.isEmpty() ? "(none)" : user)
                + ", password=" + (password.isEmpty() ? "(none)" : "(set)") + ", prefixes=" + prefixUser + ","
                + prefixAlias + "," + prefixNegative + ", expire=" + expire + "/" + expireNegative
                + ", timeouts=" + connectTimeout + "/" + queryTimeout + ", max_connections=" + maxConnections
                + ", max_errors=" + maxErrors + ", channel=" + invalidationChannel + "]";
    }

    /**
     * A SETEX lifetime. The original passes the number to SETEX unchanged, so only whole seconds worked there;
     * fractions are rounded up here rather than failing every write.
     */
    private static long ttl(ConfigNode n, long def) {
        double v = n.asDouble(def);
        if (!(v > 0) || Double.isInfinite(v)) {
            n.problem("must be a number of seconds greater than 0, got " + n.raw());
            return def;
        }
        return (long) Math.ceil(v);
    }

    /** A timeout in seconds (floats allowed); 0 would mean "wait forever" to the client, so it is refused. */
    private static Duration timeout(ConfigNode n, double def) {
        double v = n.asDouble(def);
        if (!(v > 0) || Double.isInfinite(v) || v > 3600) {
            n.problem("must be a number of seconds greater than 0 (at most 3600), got " + n.raw());
            v = def;
        }
        return millis(v);
    }

    private static Duration millis(double seconds) {
        return Duration.ofMillis(Math.max(1, Math.round(seconds * 1000)));
    }

    private static Optional<Sentinel> sentinel(ConfigNode n) {
        if (n.isNull()) {
            return Optional.empty();
        }
        if (!n.isMap()) {
            n.problem("must be a mapping with master and nodes");
            return Optional.empty();
        }
        String master = n.get("master").requireString();
        List<HostAndPort> nodes = nodes(n.get("nodes"), 26379);
        return Optional.of(new Sentinel(master, nodes, n.get("user").asString(""),
                n.get("password").asString("")));
    }

    private static Optional<Cluster> cluster(ConfigNode n) {
        if (n.isNull()) {
            return Optional.empty();
        }
        if (!n.isMap()) {
            n.problem("must be a mapping with nodes");
            return Optional.empty();
        }
        return Optional.of(new Cluster(nodes(n.get("nodes"), 6379)));
    }

    /** A list of {@code host:port} strings ({@code [v6]:port} for IPv6 literals); the port defaults. */
    static List<HostAndPort> nodes(ConfigNode n, int defaultPort) {
        List<String> raw = n.asStringList(List.of());
        if (raw.isEmpty()) {
            n.problem(n.exists() ? "must list at least one host:port" : "is required (a list of host:port)");
            return List.of();
        }
        List<HostAndPort> out = new ArrayList<>(raw.size());
        for (int i = 0; i < raw.size(); i++) {
            String s = raw.get(i).trim();
            try {
                out.add(hostAndPort(s, defaultPort));
            } catch (IllegalArgumentException e) {
                n.problem("entry " + (i + 1) + " '" + s + "': " + e.getMessage());
            }
        }
        return List.copyOf(out);
    }

    static HostAndPort hostAndPort(String s, int defaultPort) {
        String host;
        String port = null;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("unclosed [ in an IPv6 address");
            }
            host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("expected host:port");
                }
                port = rest.substring(1);
            }
        } else {
            int colon = s.lastIndexOf(':');
            if (colon >= 0 && s.indexOf(':') != colon) {
                throw new IllegalArgumentException("write IPv6 addresses as [address]:port");
            }
            host = colon < 0 ? s : s.substring(0, colon);
            port = colon < 0 ? null : s.substring(colon + 1);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("the host is empty");
        }
        int p = defaultPort;
        if (port != null) {
            try {
                p = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("the port is not a number");
            }
            if (p <= 0 || p > 65535) {
                throw new IllegalArgumentException("the port must be between 1 and 65535");
            }
        }
        return new HostAndPort(host, p);
    }
}
