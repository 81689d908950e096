package xspct.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import xspct.core.testing.MemoryTier;
import xspct.core.codec.BodyFormat;
import xspct.core.codec.JsonCodec;
import xspct.core.config.ConfigException;
import xspct.core.stats.Counters.Name;
import xspct.api.testing.Await;

class EndpointsTest {
    private static final String DATA = """
            xspct_db_queries:
              users:
                db_type: static
                entries:
                  alice@ex.de: {aliases: [a@ex.de], greylisting: ["FALSE"], reject_level: ["5"]}
                  bob@ex.de: {greylisting: ["TRUE"]}
            """;

    @BeforeEach
    void reset() {
        Fixtures.CALLS.clear();
        Fixtures.gate = new CountDownLatch(0);
        Fixtures.entered = new CountDownLatch(1);
    }

    private static RspamdRequest rspamd(String from, String... rcpts) {
        return new RspamdRequest("uid", from, List.of(rcpts), null, null, null, null, null);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(EndpointResult r) {
        EndpointResult.Body b = assertInstanceOf(EndpointResult.Body.class, r);
        assertEquals("application/json", b.contentType());
        return (Map<String, Object>) JsonCodec.read(b.body());
    }

    @Test
    void rspamdSettingsResolveRecipientsAndAliases() throws Exception {
        try (XspctService s = Fixtures.service(DATA)) {
            Map<String, Object> out = json(s.endpoints().rspamdSettings(rspamd("bob@ex.de", "a@ex.de",
                    "nobody@ex.de", "a@ex.de"), BodyFormat.JSON, "t1"));
            assertEquals(Map.of("greylist", "null", "reject", 13.0), out.get("actions"));
            Map<?, ?> data = (Map<?, ?>) out.get("settings_data");
            assertEquals(List.of("bob@ex.de", "alice@ex.de"), List.copyOf(((Map<?, ?>) data.get("users")).keySet()));
            assertEquals(Map.of("a@ex.de", "alice@ex.de"), data.get("aliases"));
            assertEquals(Map.of("applied_rules", List.of("disable_greylisting", "reject(13)")), data.get("profile"));
            // bob is only the sender: his greylisting does not count
            Map<String, Object> onlyBob = json(s.endpoints().rspamdSettings(rspamd("", "bob@ex.de"),
                    BodyFormat.JSON, "t2"));
            assertEquals(Map.of(), onlyBob.get("actions"));
        }
    }

    @Test
    void responseCacheKeyIgnoresRecipientOrderButNotFormat() throws Exception {
        try (XspctService s = Fixtures.service(DATA, List.of(), List.of(new Fixtures.FakeMsgpack()))) {
            Endpoints e = s.endpoints();
            var first = assertInstanceOf(EndpointResult.Body.class,
                    e.rspamdSettings(rspamd("x@ex.de", "a@ex.de", "bob@ex.de"), BodyFormat.JSON, "1"));
            assertEquals(1, Fixtures.calls("users"));
            assertEquals(0, s.statistics().count(Name.RESPONSE_CACHE_HITS));
            assertEquals(1, s.statistics().count(Name.RESPONSE_CACHE_MISSES));
            var again = assertInstanceOf(EndpointResult.Body.class,
                    e.rspamdSettings(rspamd("x@ex.de", "bob@ex.de", "a@ex.de", "bob@ex.de"), BodyFormat.JSON, "2"));
            assertEquals(1, Fixtures.calls("users"), "same recipient set: served from the response cache");
            assertEquals(new String(first.body(), StandardCharsets.UTF_8),
                    new String(again.body(), StandardCharsets.UTF_8));
            assertEquals(1, s.statistics().count(Name.RESPONSE_CACHE_HITS));
            var packed = assertInstanceOf(EndpointResult.Body.class,
                    e.rspamdSettings(rspamd("x@ex.de", "a@ex.de", "bob@ex.de"),
                            e.codecs().negotiate("application/msgpack", null), "3"));
            assertEquals("application/msgpack", packed.contentType());
            assertEquals('M', packed.body()[0]);
            assertEquals(2, Fixtures.calls("users"), "another format is another entry");
            e.rspamdSettings(rspamd("y@ex.de", "a@ex.de", "bob@ex.de"), BodyFormat.JSON, "4");
            assertEquals(3, Fixtures.calls("users"), "another sender is another entry");
            // query-json: sorted originals
            e.queryJson(List.of("bob@ex.de", "a@ex.de"), BodyFormat.JSON);
            e.queryJson(List.of("a@ex.de", "bob@ex.de", "a@ex.de"), BodyFormat.JSON);
            assertEquals(4, Fixtures.calls("users"));
            // invalidation hook
            e.responseCache().invalidate(List.of("alice@ex.de"));
            e.queryJson(List.of("a@ex.de", "bob@ex.de"), BodyFormat.JSON);
            assertEquals(5, Fixtures.calls("users"));
            e.responseCache().invalidateAll();
            assertEquals(0, e.responseCache().size());
        }
    }

    @Test
    void aQueryJsonBodySeenBeforeIsAnsweredWithoutDecodingAndCountedOnce() throws Exception {
        try (XspctService s = Fixtures.service(DATA)) {
            Endpoints e = s.endpoints();
            byte[] body = "{\"users\": [\"bob@ex.de\", \"a@ex.de\"]}".getBytes(StandardCharsets.UTF_8);
            assertTrue(e.queryJsonSeen("application/json", body, BodyFormat.JSON).isEmpty());
            assertEquals(0, s.statistics().count(Name.RESPONSE_CACHE_MISSES), "a body not seen counts nothing");
            var first = assertInstanceOf(EndpointResult.Body.class,
                    e.queryJson(List.of("bob@ex.de", "a@ex.de"), BodyFormat.JSON, "application/json", body));
            assertEquals(1, s.statistics().count(Name.RESPONSE_CACHE_MISSES));
            var again = assertInstanceOf(EndpointResult.Body.class,
                    e.queryJsonSeen("application/json", body.clone(), BodyFormat.JSON).orElseThrow());
            assertArrayEquals(first.body(), again.body());
            assertEquals(1, s.statistics().count(Name.RESPONSE_CACHE_HITS));
            assertEquals(1, Fixtures.calls("users"));
            e.responseCache().invalidate(List.of("alice@ex.de"));
            assertTrue(e.queryJsonSeen("application/json", body, BodyFormat.JSON).isEmpty(),
                    "an invalidation reaches the answer of a body as that of the decoded request");
        }
    }

    @Test
    void anRspamdBodySeenBeforeIsAnsweredWithItsUidAndCountedOnce() throws Exception {
        try (XspctService s = Fixtures.service(DATA)) {
            Endpoints e = s.endpoints();
            byte[] body = "{\"uid\": \"m1\", \"rcpts\": [\"a@ex.de\"]}".getBytes(StandardCharsets.UTF_8);
            assertTrue(e.rspamdSettingsSeen(null, body, BodyFormat.JSON, "hdr").isEmpty());
            RspamdRequest request = new RspamdRequest("m1", "", List.of("a@ex.de"), null, null, null, null, null);
            var first = assertInstanceOf(EndpointResult.Body.class,
                    e.rspamdSettings(request, BodyFormat.JSON, "m1", null, body));
            Endpoints.Recalled again = e.rspamdSettingsSeen(null, body, BodyFormat.JSON, "hdr").orElseThrow();
            assertArrayEquals(first.body(), assertInstanceOf(EndpointResult.Body.class, again.result()).body());
            assertEquals("m1", again.logId(), "the body's uid, as when it was decoded");
            assertEquals(1, s.statistics().count(Name.RESPONSE_CACHE_HITS));
            assertEquals(1, s.statistics().count(Name.RESPONSE_CACHE_MISSES));
            byte[] noUid = "{\"rcpts\": [\"a@ex.de\"]}".getBytes(StandardCharsets.UTF_8);
            e.rspamdSettings(new RspamdRequest("", "", List.of("a@ex.de"), null, null, null, null, null),
                    BodyFormat.JSON, "hdr", null, noUid);
            assertEquals("other", e.rspamdSettingsSeen(null, noUid, BodyFormat.JSON, "other").orElseThrow().logId(),
                    "without a uid, this request's header names it");
        }
    }

    @Test
    void disabledResponseCacheStillCountsMisses() throws Exception {
        try (XspctService s = Fixtures.service(DATA + "xspct_db_response_cache: {enabled: false}\n")) {
            s.endpoints().rspamdSettings(rspamd("", "a@ex.de"), BodyFormat.JSON, "1");
            s.endpoints().rspamdSettings(rspamd("", "a@ex.de"), BodyFormat.JSON, "1");
            assertEquals(2, Fixtures.calls("users"));
            assertEquals(2, s.statistics().count(Name.RESPONSE_CACHE_MISSES));
            assertEquals(0, s.statistics().count(Name.RESPONSE_CACHE_HITS));
        }
    }

    @Test
    void keyFieldsMustNotBeEmpty() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> Fixtures.service("xspct_db_response_cache: {rspamd_key_fields: []}\n"));
        assertTrue(e.problems().get(0).startsWith("xspct_db_response_cache.rspamd_key_fields: must name at least "
                + "one request field"), e.problems().toString());
    }

    @Test
    void backendErrorsStillAnswerButNothingIsCached() throws Exception {
        MemoryTier l1 = new MemoryTier();
        String yaml = DATA + """
                  broken:
                    db_type: fail
                """;
        try (XspctService s = Fixtures.service(yaml, List.of(l1.provider()), List.of())) {
            Map<String, Object> out = json(s.endpoints().rspamdSettings(rspamd("", "a@ex.de"), BodyFormat.JSON,
                    "1"));
            // partial data is used (answered, docs/compatibility.md: "Partial Rspamd answers are not cached") ...
            assertEquals(Map.of("greylist", "null", "reject", 13.0), out.get("actions"));
            // ... but neither the object caches nor the response cache keep it
            assertEquals(0, l1.stores.get());
            assertEquals(0, s.endpoints().responseCache().size());
            s.endpoints().rspamdSettings(rspamd("", "a@ex.de"), BodyFormat.JSON, "2");
            assertEquals(2, Fixtures.calls("users"));
        }
    }

    @Test
    void successfulLookupsFillTheObjectCache() throws Exception {
        MemoryTier l1 = new MemoryTier();
        try (XspctService s = Fixtures.service(DATA + "xspct_db_response_cache: {enabled: false}\n", List.of(l1.provider()),
                List.of())) {
            s.endpoints().rspamdSettings(rspamd("", "a@ex.de"), BodyFormat.JSON, "1");
            assertEquals("alice@ex.de", l1.aliases.get("a@ex.de"));
            s.endpoints().rspamdSettings(rspamd("", "a@ex.de"), BodyFormat.JSON, "2");
            assertEquals(1, Fixtures.calls("users"), "second lookup answered by L1");
        }
    }

    @Test
    void timedOutRequestWarmsTheResponseCacheInTheBackground() throws Exception {
        Fixtures.gate = new CountDownLatch(1);
        String yaml = """
                xspct_db_request_timeout: 0.05
                xspct_db_queries:
                  slow: {db_type: gated}
                """;
        try (XspctService s = Fixtures.service(yaml)) {
            Endpoints e = s.endpoints();
            assertInstanceOf(EndpointResult.TimedOut.class, e.rspamdSettings(rspamd("", "z@ex.de"), BodyFormat.JSON,
                    "1"));
            assertEquals(1, s.statistics().count(Name.REQUESTS_TIMEOUT));
            Fixtures.gate.countDown();
            Await.until("background completion", () -> s.statistics().count(Name.BACKGROUND_COMPLETED) == 1);
            assertEquals(1, e.responseCache().size());
            assertInstanceOf(EndpointResult.Body.class, e.rspamdSettings(rspamd("", "z@ex.de"), BodyFormat.JSON,
                    "2"));
            assertEquals(1, s.statistics().count(Name.RESPONSE_CACHE_HITS));
            assertEquals(1, Fixtures.calls("slow"));
        }
    }

    @Test
    void overloadedWhileAllForegroundSlotsAreBusy() throws Exception {
        Fixtures.gate = new CountDownLatch(1);
        String yaml = """
                xspct_db_request_timeout: 5
                xspct_db_foreground_slots: 1
                xspct_db_queries:
                  slow: {db_type: gated}
                """;
        try (XspctService s = Fixtures.service(yaml); ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<EndpointResult> busy = ex.submit(() -> s.endpoints().get("a@ex.de", 5, BodyFormat.JSON));
            Fixtures.entered.await();
            assertInstanceOf(EndpointResult.Overloaded.class, s.endpoints().get("b@ex.de", 0.05, BodyFormat.JSON));
            assertEquals(1, s.statistics().count(Name.FOREGROUND_OVERLOADED));
            Fixtures.gate.countDown();
            assertInstanceOf(EndpointResult.Body.class, busy.get());
        }
    }

    @Test
    void concurrentIdenticalRequestsShareOneComputation() throws Exception {
        Fixtures.gate = new CountDownLatch(1);
        String yaml = """
                xspct_db_queries:
                  slow: {db_type: gated}
                """;
        try (XspctService s = Fixtures.service(yaml); ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<EndpointResult>> all = new ArrayList<>();
            all.add(ex.submit(() -> s.endpoints().queryJson(List.of("q@ex.de"), BodyFormat.JSON)));
            Fixtures.entered.await();
            for (int i = 0; i < 20; i++) {
                all.add(ex.submit(() -> s.endpoints().queryJson(List.of("q@ex.de", "q@ex.de"), BodyFormat.JSON)));
            }
            Await.until("all requests arrived", () -> s.statistics().count(Name.RESPONSE_CACHE_MISSES) == 21);
            Fixtures.gate.countDown();
            for (Future<EndpointResult> f : all) {
                assertEquals(Map.of("users", Map.of()), json(f.get()));
            }
            assertEquals(1, Fixtures.calls("slow"));
        }
    }

    @Test
    void tenThousandRecipientsWithDuplicates() throws Exception {
        try (XspctService s = Fixtures.service(DATA)) {
            List<String> rcpts = new ArrayList<>();
            for (int i = 0; i < 10_000; i++) {
                rcpts.add(i % 2 == 0 ? "user" + i + "@ex.de" : "a@ex.de");
            }
            Collections.shuffle(rcpts, new java.util.Random(1));
            Map<String, Object> out = json(s.endpoints().rspamdSettings(
                    new RspamdRequest("", "", rcpts, null, null, null, null, null), BodyFormat.JSON, "big"));
            // unknown recipients are absent: alice alone decides
            assertEquals(Map.of("greylist", "null", "reject", 13.0), out.get("actions"));
            assertEquals(1, Fixtures.calls("users"), "one batch for all addresses");
        }
    }

    @Test
    void wildcardFallbackAndRewrite() throws Exception {
        String yaml = """
                xspct_db_rewrite_rules:
                  - {pattern: '^(.*)\\+[^@]*@', replacement: '\\1@'}
                xspct_db_queries:
                  users:
                    db_type: static
                    entries:
                      alice@ex.de: {greylisting: ["TRUE"]}
                  domains:
                    db_type: static
                    wildcard_domain_query: true
                    entries:
                      "@wild.de": {greylisting: ["FALSE"]}
                """;
        try (XspctService s = Fixtures.service(yaml)) {
            Map<String, Object> out = json(s.endpoints().rspamdSettings(rspamd("", "alice+tag@ex.de",
                    "x@wild.de"), BodyFormat.JSON, "w"));
            Map<?, ?> data = (Map<?, ?>) out.get("settings_data");
            assertEquals(List.of("alice@ex.de", "@wild.de"), List.copyOf(((Map<?, ?>) data.get("users")).keySet()));
            assertEquals("alice@ex.de", ((Map<?, ?>) data.get("aliases")).get("alice+tag@ex.de"));
            assertEquals("@wild.de", ((Map<?, ?>) data.get("aliases")).get("x@wild.de"));
            assertEquals(List.of(), out.get("symbols_disabled"), "alice has greylisting on: all is false");
        }
    }
}
