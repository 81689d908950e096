package xspct.cache.redis;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;


import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.SslVerifyMode;
import redis.clients.jedis.UnifiedJedis;

/**
 * Builds the jedis clients for the configured topology: a pooled {@link RedisClient} for one server, a
 * {@link RedisSentinelClient} that follows the master Sentinel names, or a {@link RedisClusterClient}. Also opens
 * the dedicated connection the invalidation subscriber listens on.
 */
final class RedisConnections {
    private final RedisCacheSettings s;
    private final JedisClientConfig clientConfig;
    private final JedisClientConfig sentinelConfig;

    /**
     * Prepares the client configuration.
     *
     * @param s the settings
     * @throws IllegalArgumentException when {@code ca_file} cannot be loaded (message names the key)
     */
    RedisConnections(RedisCacheSettings s) {
        this.s = s;
        SslOptions ssl = s.tls() ? sslOptions(s.caFile().isEmpty() ? null : Path.of(s.caFile())) : null;
        this.clientConfig = config(s.user(), s.password(), s.db(), ssl);
        this.sentinelConfig = s.sentinel()
                .map(sn -> config(sn.user(), sn.password(), 0, ssl))
                .orElse(clientConfig);
    }

    private JedisClientConfig config(String user, String password, int db, SslOptions ssl) {
        DefaultJedisClientConfig.Builder b = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(millis(s.connectTimeout()))
                .socketTimeoutMillis(millis(s.queryTimeout()))
                .database(db)
                // the server's default protocol (RESP2): no HELLO round trip, no negotiation warning
                .serverDefaultProtocol()
                // no CLIENT SETINFO round trips on connect: fewer chances to hang, works with Redis < 7.2
                .clientSetInfoConfig(ClientSetInfoConfig.DISABLED)
                .clientName("xspct-db");
        if (!user.isEmpty()) {
            b.user(user);
        }
        if (!password.isEmpty()) {
            b.password(password);
        }
        if (ssl != null) {
            b.sslOptions(ssl);
        }
        return b.build();
    }

    private ConnectionPoolConfig poolConfig() {
        ConnectionPoolConfig p = new ConnectionPoolConfig();
        p.setMaxTotal(s.maxConnections());
        p.setMaxIdle(s.maxConnections());
        p.setMinIdle(0);
        // a request never queues for a connection longer than a query may take
        p.setBlockWhenExhausted(true);
        p.setMaxWait(s.queryTimeout());
        p.setTestWhileIdle(true);
        p.setTimeBetweenEvictionRuns(Duration.ofSeconds(30));
        return p;
    }

    /**
     * Creates the client. For Sentinel and Cluster this contacts the servers (and may throw); a single server is
     * connected lazily.
     */
    UnifiedJedis open() {
        if (s.sentinel().isPresent()) {
            RedisCacheSettings.Sentinel sn = s.sentinel().get();
            return RedisSentinelClient.builder()
                    .masterName(sn.master())
                    .sentinels(new LinkedHashSet<>(sn.nodes()))
                    .sentinelClientConfig(sentinelConfig)
                    .clientConfig(clientConfig)
                    .poolConfig(poolConfig())
                    .build();
        }
        if (s.cluster().isPresent()) {
            return RedisClusterClient.builder()
                    .nodes(new LinkedHashSet<>(s.cluster().get().nodes()))
                    .clientConfig(clientConfig)
                    .poolConfig(poolConfig())
                    .maxAttempts(2)
                    .maxTotalRetriesDuration(s.queryTimeout().multipliedBy(2))
                    .build();
        }
        return RedisClient.builder()
                .hostAndPort(s.host(), s.port())
                .clientConfig(clientConfig)
                .poolConfig(poolConfig())
                .build();
    }

    /**
     * Opens a connection outside the pool for the invalidation subscriber, to the server the client uses (the
     * current master under Sentinel; any node of a cluster, which forwards every PUBLISH cluster-wide).
     *
     * @param client the client, for the topology it discovered
     * @return a connected {@link Jedis}
     */
    Jedis subscriberConnection(UnifiedJedis client) {
        HostAndPort target;
        if (client instanceof RedisSentinelClient sc) {
            target = sc.getCurrentMaster();
        } else if (client instanceof RedisClusterClient cc) {
            Map<String, ?> nodes = cc.getClusterNodes();
            target = nodes.isEmpty() ? s.cluster().orElseThrow().nodes().getFirst()
                    : HostAndPort.from(nodes.keySet().iterator().next());
        } else {
            target = new HostAndPort(s.host(), s.port());
        }
        Jedis j = new Jedis(target, clientConfig);
        try {
            j.connect();
            return j;
        } catch (RuntimeException e) {
            j.close();
            throw e;
        }
    }

    /** {@return true when keys must be handled one by one (a cluster spreads them over nodes)} */
    boolean clustered() {
        return s.cluster().isPresent();
    }

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toMillis()));
    }

    /**
     * TLS with full verification (chain and host name), trusting the CA certificates of a PEM file, or the JDK's
     * trust store without one. The trust store is built here, so that a bad file is reported at start.
     *
     * @param caFile the PEM file, or null
     * @return the options
     * @throws IllegalArgumentException when the file cannot be used (message names the key)
     */
    static SslOptions sslOptions(Path caFile) {
        SslOptions.Builder b = SslOptions.builder().sslVerifyMode(SslVerifyMode.FULL);
        try {
            if (caFile != null) {
                KeyStore ks = trustStore(caFile);
                char[] password = "xspct-db".toCharArray(); // in memory only; PKCS#12 needs one
                java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
                ks.store(bytes, password);
                byte[] store = bytes.toByteArray();
                b.trustStoreType(ks.getType()).truststore(() -> new java.io.ByteArrayInputStream(store), password);
            }
            SslOptions options = b.build();
            options.createSslContext(); // fails now rather than at the first connection
            return options;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("xspct_db_redis_cache.ca_file: cannot load CA certificates from "
                    + caFile + ": " + e.getMessage());
        }
    }

    private static KeyStore trustStore(Path caFile) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(caFile)) {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            for (Certificate c : cf.generateCertificates(in)) {
                ks.setCertificateEntry("ca-" + i++, c);
            }
            if (i == 0) {
                throw new IllegalArgumentException("xspct_db_redis_cache.ca_file: no certificate in " + caFile);
            }
            return ks;
        }
    }
}
