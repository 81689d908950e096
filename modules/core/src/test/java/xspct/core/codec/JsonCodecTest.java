package xspct.core.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
}
