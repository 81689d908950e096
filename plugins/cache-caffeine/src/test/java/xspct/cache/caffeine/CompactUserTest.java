package xspct.cache.caffeine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CompactUserTest {
    private final AttributeNames names = new AttributeNames();

    static List<Object> values() {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("z", 1L);
        nested.put("a", null);
        return Arrays.asList("", "plain", "Müller", "日本語", "\ud800 lone surrogate", "\u0000", null, true, false,
                0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, 7, Integer.MIN_VALUE, 1.5, -0.0, Double.NaN, 2.5f,
                new BigInteger("123456789012345678901234567890"), new BigDecimal("-12.3400"),
                Arrays.asList("x", null, 3L), List.of(), nested, Map.of());
    }

    @ParameterizedTest
    @MethodSource("values")
    void everyJsonLikeValueComesBackEqualAndOfTheSameType(Object value) {
        Map<String, Object> user = new LinkedHashMap<>();
        user.put("v", value);
        Map<String, Object> back = CompactUser.decode(CompactUser.encode(user, names), names);
        assertEquals(user, back);
        Object v = back.get("v");
        if (value instanceof List<?>) {
            assertInstanceOf(List.class, v);
        } else if (value instanceof Map<?, ?>) {
            assertInstanceOf(Map.class, v);
        } else if (value != null) {
            assertEquals(value.getClass(), v.getClass(), "a " + value.getClass().getSimpleName() + " stays one");
        }
    }

    @Test
    void keysKeepTheirOrderAndTheMapIsImmutable() {
        Map<String, Object> user = new LinkedHashMap<>();
        for (String k : List.of("mail", "uid", "quota", "aliases", "none")) {
            user.put(k, k.equals("aliases") ? new ArrayList<>(List.of("a@x", "b@x")) : k.equals("none") ? null : k);
        }
        Map<String, Object> back = CompactUser.decode(CompactUser.encode(user, names), names);
        assertEquals(List.of("mail", "uid", "quota", "aliases", "none"), List.copyOf(back.keySet()));
        assertEquals(user.toString(), back.toString());
        assertEquals(user.hashCode(), back.hashCode());
        assertTrue(back.containsKey("none"));
        assertNull(back.get("absent"));
        assertThrows(UnsupportedOperationException.class, () -> back.put("x", 1));
        assertThrows(UnsupportedOperationException.class, () -> back.remove("mail"));
        @SuppressWarnings("unchecked")
        List<Object> aliases = (List<Object>) back.get("aliases");
        assertThrows(UnsupportedOperationException.class, () -> aliases.add("c@x"));
    }

    @Test
    void bytesAreCopiedOnEveryDecode() {
        Map<String, Object> user = Map.of("photo", new byte[] {1, 2, 3});
        byte[] encoded = CompactUser.encode(user, names);
        byte[] first = (byte[]) CompactUser.decode(encoded, names).get("photo");
        first[0] = 9;
        assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) CompactUser.decode(encoded, names).get("photo"));
    }

    @Test
    void namesBeyondTheTableAreStoredInline() {
        for (int i = 0; i < AttributeNames.CAPACITY; i++) {
            names.indexOf("name" + i);
        }
        assertEquals(-1, names.indexOf("one-too-many"));
        Map<String, Object> user = new LinkedHashMap<>();
        user.put("one-too-many", "v");
        user.put("name7", "w");
        assertEquals(user, CompactUser.decode(CompactUser.encode(user, names), names));
    }

    @Test
    void otherTypesAreNotEncoded() {
        assertNull(CompactUser.encode(Map.of("when", Instant.EPOCH), names));
        assertNull(CompactUser.encode(Map.of("m", Map.of(1, "non-text key")), names));
        assertNotNull(CompactUser.encode(Map.of("m", Map.of("k", "v")), names));
    }

    @Test
    void theTierKeepsAnImmutableCopyOfWhatCannotBeEncoded() {
        CaffeineTier t = new CaffeineTier(new LocalCacheSettings(true, java.time.Duration.ofSeconds(20),
                java.time.Duration.ofSeconds(20), 100, 0, java.time.Duration.ZERO), com.github.benmanes.caffeine.cache.Ticker.systemTicker(),
                Runnable::run);
        Map<String, Object> user = new LinkedHashMap<>();
        user.put("when", Instant.EPOCH);
        t.store(Map.of("a@x", user), Map.of("a@x", "a@x"));
        user.put("when", Instant.MAX);
        var hit = assertInstanceOf(xspct.api.CacheLookup.Positive.class, t.lookup("a@x"));
        assertEquals(Instant.EPOCH, hit.user().get("when"));
        assertThrows(UnsupportedOperationException.class, () -> hit.user().put("x", "y"));
    }
}
