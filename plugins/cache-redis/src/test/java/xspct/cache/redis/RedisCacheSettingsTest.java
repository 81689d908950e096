package xspct.cache.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import redis.clients.jedis.HostAndPort;
import xspct.api.CacheContext;
import xspct.core.config.ConfigException;
import xspct.core.config.ConfigFile;
import xspct.core.config.Settings;
import xspct.core.config.YamlNode;

/** Reading xspct_db_redis_cache; no Redis needed. */
class RedisCacheSettingsTest {

    private static RedisCacheSettings read(String yaml) {
        return RedisTestSupport.redisSettings(yaml);
    }

    /** The problems recorded while reading the section, one string each. */
    private static List<String> problems(String yaml) {
        YamlNode root = ConfigFile.parse("t", yaml);
        Settings s = Settings.read(root);
        RedisCacheSettings.read(s.section(RedisCacheProvider.CONFIG_KEY), s.root());
        return root.problems().list();
    }

    @Test
    void defaultsAreThoseOfTheOriginal() {
        RedisCacheSettings s = read("");
        assertFalse(s.enabled());
        assertEquals("localhost", s.host());
        assertEquals(6379, s.port());
        assertEquals("", s.user());
        assertEquals("", s.password());
        assertEquals("xspct_db_user_", s.prefixUser());
        assertEquals("xspct_db_alias_", s.prefixAlias());
        assertEquals("xspct_db_neg_alias_", s.prefixNegative());
        assertEquals(60, s.expire());
        assertEquals(60, s.expireNegative());
        assertEquals(Duration.ofSeconds(1), s.connectTimeout());
        assertEquals(Duration.ofSeconds(1), s.queryTimeout());
        assertEquals(40, s.maxConnections());
        assertEquals(2, s.maxErrors());
        assertFalse(s.tls());
        assertEquals(0, s.db());
        assertEquals(Optional.empty(), s.sentinel());
        assertEquals(Optional.empty(), s.cluster());
        assertEquals("xspct_db_invalidate", s.invalidationChannel());
        assertEquals(Duration.ofSeconds(10), s.sampleInterval());
    }

    @Test
    void valuesAsTheOriginalAcceptsThem() {
        RedisCacheSettings s = read("xspct_db_stats_sample_interval: '2.5'\n"
                + "xspct_db_redis_cache: {enabled: yes, port: '6380', expire: 90.5, query_timeout: 0.25, "
                + "connect_timeout: '2', max_connections: 5, max_errors: 0, decode_responses: true, db: 3}");
        assertTrue(s.enabled());
        assertEquals(6380, s.port());
        assertEquals(91, s.expire(), "fractions are rounded up for SETEX");
        assertEquals(Duration.ofMillis(250), s.queryTimeout());
        assertEquals(Duration.ofSeconds(2), s.connectTimeout());
        assertEquals(5, s.maxConnections());
        assertEquals(0, s.maxErrors());
        assertEquals(3, s.db());
        assertEquals(Duration.ofMillis(2500), s.sampleInterval());
    }

    @Test
    void sentinelAndClusterSections() {
        RedisCacheSettings s = read("xspct_db_redis_cache: {sentinel: {master: mymaster, nodes: "
                + "['10.0.0.1:26379', 'sentinel-b', '[::1]:26380'], user: sen, password: sp}}");
        RedisCacheSettings.Sentinel sn = s.sentinel().orElseThrow();
        assertEquals("mymaster", sn.master());
        assertEquals(List.of(new HostAndPort("10.0.0.1", 26379), new HostAndPort("sentinel-b", 26379),
                new HostAndPort("::1", 26380)), sn.nodes());
        assertEquals("sen", sn.user());
        assertEquals("sp", sn.password());
        assertFalse(s.toString().contains("sp,") || s.toString().contains("=sp"), s.toString());

        RedisCacheSettings c = read("xspct_db_redis_cache: {cluster: {nodes: [a:7000, b:7001, c]}}");
        assertEquals(List.of(new HostAndPort("a", 7000), new HostAndPort("b", 7001), new HostAndPort("c", 6379)),
                c.cluster().orElseThrow().nodes());
        assertTrue(c.describe().startsWith("cluster"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{port: 0}|xspct_db_redis_cache.port",
        "{port: http}|xspct_db_redis_cache.port",
        "{expire: 0}|xspct_db_redis_cache.expire",
        "{expire_negative: -5}|xspct_db_redis_cache.expire_negative",
        "{query_timeout: 0}|xspct_db_redis_cache.query_timeout",
        "{connect_timeout: soon}|xspct_db_redis_cache.connect_timeout",
        "{max_connections: 0}|xspct_db_redis_cache.max_connections",
        "{max_errors: -1}|xspct_db_redis_cache.max_errors",
        "{db: -1}|xspct_db_redis_cache.db",
        "{ca_file: /nonexistent.pem}|xspct_db_redis_cache.ca_file",
        "{tls: true, ca_file: /nonexistent.pem}|xspct_db_redis_cache.ca_file",
        "{invalidation_channel: ''}|xspct_db_redis_cache.invalidation_channel",
        "{sentinel: {nodes: [a:1]}}|xspct_db_redis_cache.sentinel.master",
        "{sentinel: {master: m}}|xspct_db_redis_cache.sentinel.nodes",
        "{sentinel: {master: m, nodes: ['a:b']}}|xspct_db_redis_cache.sentinel.nodes",
        "{sentinel: {master: m, nodes: ['::1:5']}}|xspct_db_redis_cache.sentinel.nodes",
        "{sentinel: yes}|xspct_db_redis_cache.sentinel",
        "{cluster: {nodes: []}}|xspct_db_redis_cache.cluster.nodes",
        "{cluster: {nodes: [a:70000]}}|xspct_db_redis_cache.cluster.nodes",
        "{cluster: {nodes: [a:1]}, db: 2}|xspct_db_redis_cache.db",
        "{cluster: {nodes: [a:1]}, sentinel: {master: m, nodes: [b:2]}}|xspct_db_redis_cache.cluster",
    })
    void badValuesNameTheirKey(String section, String key) {
        List<String> p = problems("xspct_db_redis_cache: " + section);
        assertTrue(p.stream().anyMatch(x -> x.startsWith(key + ":")), "expected a problem at " + key + ": " + p);
    }

    @Test
    void badSampleIntervalIsReported() {
        List<String> p = problems("xspct_db_stats_sample_interval: 0\n");
        assertTrue(p.stream().anyMatch(x -> x.startsWith("xspct_db_stats_sample_interval:")), p.toString());
    }

    @Test
    void disabledSectionCreatesNoTier() {
        Settings s = Settings.read(ConfigFile.parse("t", "xspct_db_redis_cache: {enabled: false}"));
        RedisCacheProvider p = new RedisCacheProvider();
        assertEquals("redis", p.name());
        assertEquals("xspct_db_redis_cache", p.configKey());
        assertEquals(2, p.level());
        assertTrue(p.create(new CacheContext(s.section(p.configKey()), s.root())).isEmpty());
    }

    @Test
    void passwordsStayOutOfToString() {
        RedisCacheSettings s = read("xspct_db_redis_cache: {user: u, password: hunter2-secret, "
                + "sentinel: {master: m, nodes: [a:1], password: sentinel-secret}}");
        assertFalse(s.toString().contains("hunter2-secret"));
        assertFalse(s.toString().contains("sentinel-secret"));
        assertFalse(s.sentinel().orElseThrow().toString().contains("sentinel-secret"));
        assertTrue(s.toString().contains("password=(set)"));
    }

    @Test
    void tlsCaFileIsLoaded() throws Exception {
        java.nio.file.Path empty = java.nio.file.Files.createTempFile("ca", ".pem");
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RedisConnections.sslOptions(empty));
            assertTrue(e.getMessage().contains("ca_file"), e.getMessage());
            YamlNode root = ConfigFile.parse("t", "xspct_db_redis_cache: {enabled: true, tls: true, ca_file: '"
                    + empty + "'}");
            Settings s = Settings.read(root);
            assertTrue(new RedisCacheProvider().create(new CacheContext(s.section(RedisCacheProvider.CONFIG_KEY),
                    root)).isEmpty());
            ConfigException ce = assertThrows(ConfigException.class, () -> root.problems().throwIfAny("t"));
            assertTrue(ce.getMessage().contains("xspct_db_redis_cache.ca_file"), ce.getMessage());
        } finally {
            java.nio.file.Files.delete(empty);
        }
    }
}
