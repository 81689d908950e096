package xspct.cache.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import xspct.api.CacheLookup;
import xspct.api.Invalidation;

/** Sentinel and Cluster against redis-server processes the test starts on free loopback ports. */
class TopologyTest {
    private static final Map<String, Object> USER = Map.of("mail", List.of("a@example.org"));

    private static Jedis raw(int port) {
        return new Jedis(new HostAndPort("127.0.0.1", port),
                DefaultJedisClientConfig.builder().serverDefaultProtocol().socketTimeoutMillis(2000).build());
    }

    @Test
    void sentinelFindsTheMaster() throws Exception {
        try (LocalRedisProcess master = LocalRedisProcess.start(List.of(), false);
             LocalRedisProcess sentinel = LocalRedisProcess.start(List.of(
                     "sentinel monitor xspctmaster 127.0.0.1 " + master.port() + " 1",
                     "sentinel down-after-milliseconds xspctmaster 5000"), true)) {
            try (Jedis s = raw(sentinel.port())) {
                assertTrue(RedisTestSupport.eventually(10_000, () -> List.of("127.0.0.1",
                        String.valueOf(master.port())).equals(s.sentinelGetMasterAddrByName("xspctmaster"))));
            }
            String prefix = RedisTestSupport.uniquePrefix();
            RedisTier tier = RedisTestSupport.tier(RedisTestSupport.section(prefix,
                    "sentinel: {master: xspctmaster, nodes: ['127.0.0.1:" + sentinel.port() + "']}"));
            BlockingQueue<Invalidation> remote = new LinkedBlockingQueue<>();
            try (Jedis m = raw(master.port())) {
                tier.onRemoteInvalidation(remote::add);
                tier.store(Map.of("pk", USER), Map.of("a@example.org", "pk"));
                assertEquals("pk", m.get(prefix + "alias_a@example.org"), "written to the master Sentinel names");
                CacheLookup.Positive p = assertInstanceOf(CacheLookup.Positive.class, tier.lookup("a@example.org"));
                assertEquals(USER, p.user());
                assertTrue(RedisTestSupport.eventually(5000, () -> m.pubsubNumSub(prefix + "chan")
                        .getOrDefault(prefix + "chan", 0L) == 1), "subscribed on the master");
                tier.invalidate(List.of("a@example.org"));
                assertFalse(m.exists(prefix + "alias_a@example.org"));
                assertEquals(Invalidation.of(List.of("a@example.org")), remote.poll(2, TimeUnit.SECONDS));
            } finally {
                tier.close();
            }
        }
    }

    @Test
    void aOneNodeClusterServesTheTier() throws Exception {
        try (LocalRedisProcess node = LocalRedisProcess.start(List.of("cluster-enabled yes",
                "cluster-config-file nodes.conf", "cluster-node-timeout 5000"), false)) {
            try (Jedis n = raw(node.port())) {
                n.clusterAddSlotsRange(0, 16383);
                assertTrue(RedisTestSupport.eventually(10_000, () -> n.clusterInfo().contains("cluster_state:ok")),
                        "cluster ready");
            }
            String prefix = RedisTestSupport.uniquePrefix();
            RedisTier tier = RedisTestSupport.tier(RedisTestSupport.section(prefix,
                    "cluster: {nodes: ['127.0.0.1:" + node.port() + "']}"));
            BlockingQueue<Invalidation> remote = new LinkedBlockingQueue<>();
            try (Jedis n = raw(node.port())) {
                tier.onRemoteInvalidation(remote::add);
                tier.store(Map.of("pk", USER, "pk2", USER), Map.of("a@example.org", "pk", "b@example.org", "pk2"));
                tier.storeNegative(List.of("n@example.org"));
                assertInstanceOf(CacheLookup.Positive.class, tier.lookup("a@example.org"));
                assertEquals(CacheLookup.NEGATIVE, tier.lookup("n@example.org"));
                assertTrue(RedisTestSupport.eventually(5000, () -> n.pubsubNumSub(prefix + "chan")
                        .getOrDefault(prefix + "chan", 0L) == 1), "subscribed on the node");
                tier.invalidateAll();
                assertEquals(Invalidation.everything(), remote.poll(2, TimeUnit.SECONDS));
                assertEquals(0, n.dbSize(), "SCAN + UNLINK over the cluster removed every key");
                assertEquals(CacheLookup.MISS, tier.lookup("a@example.org"));
            } finally {
                tier.close();
            }
        }
    }
}
