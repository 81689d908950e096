package xspct.core.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bodies of every size come out whole, with Python's separators, and read back as the same data. */
class JsonCodecTest {

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 10, 100, 1000, 5000})
    void aBodyOfAnySizeIsWrittenWholeAndReadsBack(int users) {
        Map<String, Object> byAddress = new LinkedHashMap<>();
        StringBuilder expected = new StringBuilder("{\"users\": {");
        for (int i = 0; i < users; i++) {
            String a = "u" + i + "@example.com";
            Map<String, Object> user = new LinkedHashMap<>();
            user.put("mail", List.of(a));
            user.put("quota", 1024L + i);
            user.put("name", "Jos\u00e9");
            byAddress.put(a, user);
            expected.append(i == 0 ? "" : ", ").append('"').append(a).append("\": {\"mail\": [\"").append(a)
                    .append("\"], \"quota\": ").append(1024L + i).append(", \"name\": \"Jos\\u00E9\"}");
        }
        expected.append("}}");
        byte[] body = JsonCodec.write(Map.of("users", byAddress));
        assertEquals(expected.toString(), new String(body, StandardCharsets.UTF_8));
        assertEquals(Map.of("users", byAddress), JsonCodec.read(body));
    }

    @ParameterizedTest
    @ValueSource(ints = {7999, 8000, 8001, 16001})
    void aStringAroundTheGeneratorsBufferSizeIsWrittenWhole(int length) {
        String s = "x".repeat(length);
        List<Object> doc = Arrays.asList(s, true, null);
        assertEquals("[\"" + s + "\", true, null]", new String(JsonCodec.write(doc), StandardCharsets.UTF_8));
    }

    @Test
    void documentsWrittenOneAfterAnotherOnAThreadShareNothing() {
        byte[] first = JsonCodec.write(Map.of("a", List.of("x", 1L)));
        byte[] large = JsonCodec.write(Map.of("big", "y".repeat(20_000)));
        byte[] second = JsonCodec.write(List.of());
        assertEquals("{\"a\": [\"x\", 1]}", new String(first, StandardCharsets.UTF_8));
        assertEquals(20_011, large.length);
        assertEquals("[]", new String(second, StandardCharsets.UTF_8));
    }

    @Test
    void aWriteThatFailsHalfwayLeavesNothingForTheNext() {
        Object broken = new Object() {
            @Override
            public String toString() {
                throw new IllegalStateException("no text");
            }
        };
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("ok", "1");
        doc.put("bad", broken);
        assertThrows(IllegalStateException.class, () -> JsonCodec.write(doc));
        assertEquals("{\"next\": true}", new String(JsonCodec.write(Map.of("next", true)), StandardCharsets.UTF_8));
    }
}
