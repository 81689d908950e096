package xspct.core.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static xspct.core.pipeline.TestService.mapBackend;
import static xspct.core.pipeline.TestService.user;
import static xspct.core.pipeline.TestService.users;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import xspct.api.BackendEntry;
import xspct.api.BackendResult;
import xspct.core.XspctService;
import xspct.core.testing.MemoryTier;
import xspct.core.pipeline.Counters.Name;

class LookupPipelineTest {
    private static final Map<String, Map<String, Object>> DATA = Map.of(
            "alice@ex.de", user("mail", "alice@ex.de", "aliases", List.of("a@ex.de", "al@ex.de"), "uid", 1000),
            "bob@ex.de", user("mail", "bob@ex.de", "domain", "ex.de"),
            "@sub.ex.de", user("mail", "@sub.ex.de", "catchall", "yes"),
            "ex.de", user("mail", "ex.de", "policy", "strict"));

    private static final String ONE_QUERY = """
            xspct_db_api_key: k
            xspct_db_queries:
              users:
                db_type: map
            """;

    @Test
    void getKeysByPrimaryKeyWhenColdAndByRequestedAddressWhenCached() throws Exception {
        var backend = mapBackend("map", DATA);
        var tier = new MemoryTier();
        try (XspctService s = TestService.start(ONE_QUERY, List.of(backend), List.of(TestService.tier(tier)))) {
            var cold = users(s.pipeline().get("a@ex.de"));
            assertEquals(List.of("alice@ex.de"), List.copyOf(cold.keySet()));
            assertEquals(List.of("1000"), cold.get("alice@ex.de").get("uid"));
            assertEquals(List.of("a@ex.de", "al@ex.de"), cold.get("alice@ex.de").get("aliases"));
            var warm = users(s.pipeline().get("al@ex.de"));
            assertEquals(List.of("al@ex.de"), List.copyOf(warm.keySet()));
            assertEquals(1, backend.calls.size(), "the alias was cached from the first answer");
            assertEquals(1, s.counters().get(Name.LOCAL_CACHE_HITS));
            assertEquals(2, s.counters().get(Name.REQUESTS_KNOWN));
        }
    }

    @Test
    void unknownAddressIsNegativeCachedAndAnsweredEmpty() throws Exception {
        var backend = mapBackend("map", DATA);
        var tier = new MemoryTier();
        try (XspctService s = TestService.start(ONE_QUERY, List.of(backend), List.of(TestService.tier(tier)))) {
            assertEquals(Map.of(), users(s.pipeline().get("nobody@ex.de")));
            assertEquals(Map.of(), users(s.pipeline().get("nobody@ex.de")));
            assertEquals(1, backend.calls.size());
            assertTrue(tier.negative.containsKey("nobody@ex.de"));
            assertEquals(2, s.counters().get(Name.REQUESTS_UNKNOWN));
        }
    }

    @Test
    void rewrittenAddressAnswersUnderOriginalAndPrimaryKey() throws Exception {
        String yaml = ONE_QUERY + """
                xspct_db_rewrite_rules:
                  - pattern: '^(?P<local>[^@]+)@old\\.de$'
                    replacement: '\\g<local>@ex.de'
                """;
        try (XspctService s = TestService.start(yaml, List.of(mapBackend("map", DATA)), List.of())) {
            var r = users(s.pipeline().get("a@old.de"));
            assertEquals(List.of("alice@ex.de", "a@old.de"), List.copyOf(r.keySet()));
            var batch = users(s.pipeline().batch(List.of("a@old.de", "bob@ex.de", "x@y.z", "a@old.de")));
            assertEquals(List.of("a@old.de", "bob@ex.de"), List.copyOf(batch.keySet()));
        }
    }

    @Test
    void queriesOfOnePhaseRunConcurrentlyAndMergeInConfigOrder() throws Exception {
        CountDownLatch both = new CountDownLatch(2);
        List<Boolean> metEachOther = new ArrayList<>();
        var first = new TestService.FnProvider("first", reqs -> answer(both, metEachOther, "uid", "alice"));
        var second = new TestService.FnProvider("second", reqs -> answer(both, metEachOther, "uid", "alice2"));
        String yaml = """
                xspct_db_queries:
                  q1: {db_type: first}
                  q2: {db_type: second}
                """;
        try (XspctService s = TestService.start(yaml, List.of(first, second), List.of())) {
            var r = users(s.pipeline().get("alice@ex.de"));
            assertEquals(List.of(true, true), metEachOther, "both queries waited for each other");
            assertEquals(List.of("alice", "alice2"), r.get("alice@ex.de").get("uid"));
            assertEquals(List.of("alice@ex.de"), r.get("alice@ex.de").get("mail"), "equal lists kept once");
        }
    }

    private static BackendResult answer(CountDownLatch both, List<Boolean> met, String k, String v) {
        both.countDown();
        try {
            boolean ok = both.await(10, TimeUnit.SECONDS);
            synchronized (met) {
                met.add(ok);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return BackendResult.of(List.of(new BackendEntry.Found(user("mail", "alice@ex.de", k, v), List.of(0))));
    }

    @Test
    void useResultQueryReadsEarlierAnswerAndMergesIntoSamePrimaryKey() throws Exception {
        var users = mapBackend("map", DATA);
        var domains = mapBackend("domains", Map.of("ex.de", user("dom", "ex.de", "policy", "strict")));
        String yaml = """
                xspct_db_queries:
                  users: {db_type: map}
                  domains:
                    db_type: domains
                    primary_key: dom
                    use_result: true
                    result_object_attr: domain
                """;
        try (XspctService s = TestService.start(yaml, List.of(users, domains), List.of())) {
            var r = users(s.pipeline().get("bob@ex.de"));
            assertEquals(List.of("bob@ex.de"), List.copyOf(r.keySet()));
            assertEquals(List.of("strict"), r.get("bob@ex.de").get("policy"));
            assertEquals(List.of("ex.de"), domains.calls.get(0).get(0).values());
            assertEquals("ex.de", domains.calls.get(0).get(0).domain());
        }
    }

    @Test
    void firstFailingQueryDecidesTheErrorAndLaterPhasesDoNotRun() throws Exception {
        var err = new TestService.FnProvider("err", reqs -> BackendResult.failed("500 LDAP connection error"));
        var later = mapBackend("map", DATA);
        String yaml = """
                xspct_db_queries:
                  broken: {db_type: err}
                  chained: {db_type: map, use_result: true, result_object_attr: x}
                """;
        try (XspctService s = TestService.start(yaml, List.of(err, later), List.of())) {
            assertEquals(new Reply.Failure("500 LDAP connection error"), s.pipeline().get("alice@ex.de"));
            assertEquals(new Reply.Failure("500 LDAP connection error"),
                    s.pipeline().batch(List.of("alice@ex.de")));
            assertEquals(0, later.calls.size());
        }
    }

    @Test
    void wildcardSubstitutionModeWithDefaultsFallsBackToDomainEntry() throws Exception {
        String yaml = """
                xspct_db_queries:
                  users: {db_type: map}
                  domains: {db_type: map, wildcard_domain_query: true}
                """;
        var tier = new MemoryTier();
        try (XspctService s = TestService.start(yaml, List.of(mapBackend("map", DATA)),
                List.of(TestService.tier(tier)))) {
            var r = users(s.pipeline().get("unknown@sub.ex.de"));
            assertEquals(List.of("unknown@sub.ex.de"), List.copyOf(r.keySet()));
            assertEquals(List.of("yes"), r.get("unknown@sub.ex.de").get("catchall"));
            assertEquals(1, s.counters().get(Name.WILDCARD_DOMAIN_HITS));
            // a real mailbox in the same domain is not shadowed by the cached wildcard entry (W1)
            var batch = users(s.pipeline().batch(List.of("unknown@sub.ex.de", "alice@ex.de")));
            assertEquals(List.of("yes"), batch.get("unknown@sub.ex.de").get("catchall"));
            assertEquals(List.of("1000"), batch.get("alice@ex.de").get("uid"));
        }
    }

    @Test
    void wildcardMatchModeUsesGroupOne() throws Exception {
        String yaml = """
                xspct_db_queries:
                  domains:
                    db_type: map
                    wildcard_domain_query: true
                    wildcard_key_pattern: '@(.+)$'
                """;
        try (XspctService s = TestService.start(yaml, List.of(mapBackend("map", DATA)), List.of())) {
            var r = users(s.pipeline().get("carol@ex.de"));
            assertEquals(List.of("strict"), r.get("carol@ex.de").get("policy"));
        }
    }

    @Test
    void batchOmitsUnknownAndKeepsRewrittenDirectResult() throws Exception {
        String yaml = """
                xspct_db_queries:
                  users: {db_type: map}
                  domains: {db_type: map, wildcard_domain_query: true}
                xspct_db_rewrite_rules:
                  - {pattern: '@legacy\\.de$', replacement: '@ex.de'}
                """;
        try (XspctService s = TestService.start(yaml, List.of(mapBackend("map", DATA)), List.of())) {
            var r = users(s.pipeline().batch(List.of("alice@legacy.de", "ghost@nowhere.org")));
            assertEquals(List.of("alice@legacy.de"), List.copyOf(r.keySet()));
            assertEquals(List.of("1000"), r.get("alice@legacy.de").get("uid"), "W2: not the wildcard object");
        }
    }

    @Test
    void prefilterRejectsOtherDomainsBeforeAnyBackendCall() throws Exception {
        String yaml = ONE_QUERY + """
                xspct_db_prefilter: {enabled: true}
                xspct_db_prefilter_domains: {enabled: true, inline: [' EX.de ']}
                """;
        var backend = mapBackend("map", DATA);
        try (XspctService s = TestService.start(yaml, List.of(backend), List.of())) {
            assertEquals(Map.of(), users(s.pipeline().get("alice@other.org")));
            assertEquals(0, backend.calls.size());
            assertEquals(List.of("alice@ex.de"),
                    List.copyOf(users(s.pipeline().batch(List.of("alice@ex.de", "x@other.org"))).keySet()));
            assertEquals(2, s.counters().get(Name.PREFILTER_DOMAIN_MISSES));
        }
    }

    @Test
    void dummyOutputIsReturnedButCountsAsUnknown() throws Exception {
        var dummy = new TestService.FnProvider("dummy", reqs -> BackendResult.of(List.of(
                new BackendEntry.Verbatim(reqs.get(0).address(),
                        user("uid", reqs.get(0).address(), "comment", "dummy reply")))));
        try (XspctService s = TestService.start("xspct_db_queries: {d: {db_type: dummy}}", List.of(dummy),
                List.of())) {
            var r = users(s.pipeline().get("x@y.z"));
            assertEquals("dummy reply", r.get("x@y.z").get("comment"));
            assertEquals(1, s.counters().get(Name.REQUESTS_UNKNOWN));
            assertInstanceOf(Reply.Users.class, s.pipeline().batch(List.of("x@y.z")));
        }
    }

    @Test
    void batchAnswersAnAliasWithTheDummysObjectKeyedByTheAddressAsTheOriginal() throws Exception {
        var dummy = new TestService.FnProvider("dummy", reqs -> {
            List<BackendEntry> out = new java.util.ArrayList<>();
            reqs.forEach(r -> out.add(new BackendEntry.Verbatim(r.address(),
                    user("uid", r.address(), "comment", "dummy reply"))));
            return BackendResult.of(out);
        });
        String yaml = """
                xspct_db_api_key: k
                xspct_db_queries:
                  d: {db_type: dummy}
                  users: {db_type: map}
                """;
        try (XspctService s = TestService.start(yaml, List.of(dummy, mapBackend("map", DATA)), List.of())) {
            var r = users(s.pipeline().batch(List.of("a@ex.de", "alice@ex.de")));
            // the alias: the dummy's own object, not alice's data (the original keys the dummy's rows by address)
            assertEquals(user("uid", "a@ex.de", "comment", "dummy reply"), r.get("a@ex.de"));
            // the primary key: both answers merged under it
            assertEquals("dummy reply", r.get("alice@ex.de").get("comment"));
            assertEquals(List.of("alice@ex.de"), r.get("alice@ex.de").get("mail"));
        }
    }

    @Test
    void overlongAddressesNeverReachTheBackend() throws Exception {
        var backend = mapBackend("map", DATA);
        try (XspctService s = TestService.start(ONE_QUERY, List.of(backend), List.of())) {
            String huge = "a".repeat(10_000) + "@ex.de";
            assertEquals(Map.of(), users(s.pipeline().get(huge)));
            assertEquals(List.of("alice@ex.de"),
                    List.copyOf(users(s.pipeline().batch(List.of(huge, "alice@ex.de"))).keySet()));
            assertEquals(1, backend.calls.size());
            assertEquals(1, backend.calls.get(0).size());
        }
    }
}
