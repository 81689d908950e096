package xspct.cache.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PythonJsonTest {

    @Test
    void writesWhatPythonWrites() throws Exception {
        // json.dumps(RedisTierTest's object) in CPython 3
        assertEquals(RedisTierTest.PYTHON_JSON, PythonJson.write(RedisTierTest.pythonUser()));
        assertEquals(RedisTierTest.pythonUser(), PythonJson.readObject(RedisTierTest.PYTHON_JSON));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "`\u0000\u001f\u007f`|`\"\\u0000\\u001f\\u007f\"`",
        "`tab\there`|`\"tab\\there\"`",
        "`back\\slash/`|`\"back\\\\slash/\"`",
        "`\u20ac`|`\"\\u20ac\"`",
    })
    void escapesLikeEnsureAscii(String text, String json) throws Exception {
        assertEquals(json, PythonJson.write(text));
        assertEquals(text, PythonJson.readObject("{\"k\": " + json + "}").get("k"));
    }

    @Test
    void numbersKeepTheirKind() throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("i", 7L);
        m.put("f", 2.0);
        m.put("big", new BigInteger("123456789012345678901234567890"));
        assertEquals("{\"i\": 7, \"f\": 2.0, \"big\": 123456789012345678901234567890}", PythonJson.write(m));
        assertEquals(m, PythonJson.readObject(PythonJson.write(m)));
    }

    @Test
    void repeatedKeysKeepTheFirstPositionAndTheLastValueAsPython() throws Exception {
        Map<String, Object> m = PythonJson.readObject("{\"a\": 1, \"b\": 2, \"a\": 3}");
        assertEquals(List.of("a", "b"), new ArrayList<>(m.keySet()));
        assertEquals(3L, m.get("a"));
    }

    @Test
    void bytesAreWrittenAsBase64() {
        assertEquals("[\"AAE=\"]", PythonJson.write(Arrays.asList((Object) new byte[] {0, 1})));
    }

    @Test
    void notAnObjectIsMalformed() {
        for (String bad : List.of("", "[]", "1", "{", "{\"a\": }", "{} []", "{a: 1}", "{\"a\": NaN}")) {
            assertThrows(PythonJson.MalformedJsonException.class, () -> PythonJson.readObject(bad), bad);
        }
    }
}
