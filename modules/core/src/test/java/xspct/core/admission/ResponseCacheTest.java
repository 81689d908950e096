package xspct.core.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import xspct.core.codec.BodyFormat;

class ResponseCacheTest {
    private final AtomicLong now = new AtomicLong();

    private ResponseCache cache(int max, double expire) {
        return new ResponseCache(new ResponseCache.Settings(true, expire, max, List.of("from")), now::get);
    }

    private static ResponseCache.Key key(String s) {
        return new ResponseCache.Key("query-json", List.of(s), BodyFormat.JSON);
    }

    private static ResponseCache.Entry entry(String s) {
        return new ResponseCache.Entry(s.getBytes(), "application/json");
    }

    private static ResponseCache.Seen seen(String contentType, String body) {
        return new ResponseCache.Seen("query-json", contentType, BodyFormat.JSON, body.getBytes());
    }

    @Test
    void aBodySeenBeforeFindsItsAnswerUntilItsAddressIsInvalidated() {
        ResponseCache c = cache(10, 10);
        String body = "{\"users\": [\"a@ex.de\"]}";
        c.remember(seen("application/json", body), key("a"), "uid-1");
        assertTrue(c.get(seen("application/json", body)).isEmpty(), "no answer stored yet");
        c.put(key("a"), entry("A"), List.of("a@ex.de"), now.get());
        ResponseCache.Recalled recalled = c.get(seen("application/json", body)).orElseThrow();
        assertEquals("A", new String(recalled.entry().body()));
        assertEquals("uid-1", recalled.logId());
        assertTrue(c.get(seen(null, body)).isEmpty(), "another content type decodes another way");
        assertTrue(c.get(seen("application/json", body + " ")).isEmpty(), "another body");
        assertTrue(c.get(new ResponseCache.Seen("query-json", "application/json",
                new BodyFormat("application/msgpack", BodyFormat.JSON.codec()), body.getBytes())).isEmpty());
        c.invalidate(List.of("a@ex.de"));
        assertTrue(c.get(seen("application/json", body)).isEmpty(), "invalidated like the decoded request");
        c.put(key("a"), entry("A2"), List.of("a@ex.de"), now.get());
        assertEquals("A2", new String(c.get(seen("application/json", body)).orElseThrow().entry().body()));
        now.addAndGet(10_000_000_000L);
        assertTrue(c.get(seen("application/json", body)).isEmpty(), "expired like the decoded request");
    }

    @Test
    void largeBodiesAndTheLeastRecentlySeenAreNotKept() {
        ResponseCache c = cache(2, 10);
        String large = "x".repeat(ResponseCache.MAX_SEEN_BODY + 1);
        c.remember(seen(null, large), key("a"), "");
        c.remember(seen(null, "1"), key("a"), "");
        c.remember(seen(null, "2"), key("a"), "");
        c.remember(seen(null, "3"), key("a"), "");
        c.put(key("a"), entry("A"), List.of(), now.get());
        assertTrue(c.get(seen(null, large)).isEmpty());
        assertTrue(c.get(seen(null, "1")).isEmpty(), "beyond max_entries bodies");
        assertTrue(c.get(seen(null, "2")).isPresent());
        assertTrue(c.get(seen(null, "3")).isPresent());
    }

    @Test
    void expiresAfterTheTtlCountedFromTheWrite() {
        ResponseCache c = cache(10, 10);
        c.put(key("a"), entry("A"), List.of("a"), now.get());
        now.addAndGet(9_999_999_999L);
        assertTrue(c.get(key("a")).isPresent());
        now.addAndGet(1);
        assertTrue(c.get(key("a")).isEmpty());
        assertEquals(0, c.size());
    }

    @Test
    void evictsTheLeastRecentlyUsed() {
        ResponseCache c = cache(2, 10);
        c.put(key("a"), entry("A"), List.of(), now.get());
        c.put(key("b"), entry("B"), List.of(), now.get());
        c.get(key("a"));
        c.put(key("c"), entry("C"), List.of(), now.get());
        assertTrue(c.get(key("a")).isPresent());
        assertTrue(c.get(key("b")).isEmpty());
        assertTrue(c.get(key("c")).isPresent());
    }

    @Test
    void aLateOlderComputationDoesNotReplaceAFresherAnswer() {
        ResponseCache c = cache(10, 10);
        long slowStart = c.now();
        now.addAndGet(1_000);
        c.put(key("a"), entry("NEW"), List.of(), c.now()); // started later, finished first
        c.put(key("a"), entry("OLD"), List.of(), slowStart); // the detached task finishing late
        assertEquals("NEW", new String(c.get(key("a")).orElseThrow().body()));
        now.addAndGet(10_000_000_000L); // once the fresher entry expired, an older result may be stored again
        c.put(key("a"), entry("OLD"), List.of(), slowStart);
        assertEquals("OLD", new String(c.get(key("a")).orElseThrow().body()));
    }

    @Test
    void formatIsPartOfTheKey() {
        ResponseCache c = cache(10, 10);
        c.put(key("a"), entry("A"), List.of(), now.get());
        BodyFormat other = new BodyFormat("application/msgpack", BodyFormat.JSON.codec());
        assertTrue(c.get(new ResponseCache.Key("query-json", List.of("a"), other)).isEmpty());
        assertTrue(c.get(new ResponseCache.Key("rspamd-settings", List.of("a"), BodyFormat.JSON)).isEmpty());
    }

    @Test
    void anAnswerComputedBeforeAnInvalidationOfOneOfItsAddressesIsNotStored() {
        ResponseCache c = cache(10, 10);
        long started = c.now();
        now.addAndGet(1_000);
        c.invalidate(List.of("a@ex.de")); // while the computation ran
        now.addAndGet(1_000);
        c.put(key("a"), entry("OLD"), List.of("alice@ex.de", "a@ex.de"), started);
        c.put(key("b"), entry("B"), List.of("bob@ex.de"), started);
        assertTrue(c.get(key("a")).isEmpty(), "it may hold what the invalidation was about");
        assertTrue(c.get(key("b")).isPresent(), "an answer of other addresses is stored");
        c.put(key("a"), entry("NEW"), List.of("alice@ex.de", "a@ex.de"), c.now());
        assertEquals("NEW", new String(c.get(key("a")).orElseThrow().body()));

        long beforeAll = c.now();
        now.addAndGet(1_000);
        c.invalidateAll();
        c.put(key("b"), entry("B"), List.of("bob@ex.de"), beforeAll);
        assertTrue(c.get(key("b")).isEmpty());
    }

    @Test
    void invalidationByAddress() {
        ResponseCache c = cache(10, 10);
        c.put(key("a"), entry("A"), List.of("alice@ex.de", "a@ex.de"), now.get());
        c.put(key("b"), entry("B"), List.of("bob@ex.de"), now.get());
        c.invalidate(List.of("a@ex.de"));
        assertTrue(c.get(key("a")).isEmpty());
        assertTrue(c.get(key("b")).isPresent());
    }

    @Test
    void disabledOrZeroSizedStoresNothing() {
        ResponseCache off = new ResponseCache(new ResponseCache.Settings(false, 10, 10, List.of("from")), now::get);
        off.put(key("a"), entry("A"), List.of(), 0);
        assertTrue(off.get(key("a")).isEmpty());
        ResponseCache zero = cache(0, 10);
        zero.put(key("a"), entry("A"), List.of(), 0);
        assertEquals(0, zero.size());
    }
}
