package xspct.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import xspct.core.codec.BodyCodecs;
import xspct.core.codec.MalformedBodyException;

/**
 * Random-input test of the query-json body parser: every input either yields a list of strings or is rejected as
 * malformed (a 400); nothing else may escape (that would be a 500).
 */
class QueryBodyFuzzTest {
    private static final int INPUTS = 200_000;
    private static final BodyCodecs CODECS = BodyCodecs.of(List.of());
    private static final String[] SEEDS = {
        "{\"users\": [\"a@ex.de\", \"b@ex.de\"]}", "{\"users\": []}", "{}", "null", "[]", "\"x\"", "42",
        "{\"users\": [1, null, {}]}", "{\"users\": \"a@ex.de\"}", "{\"users\": [\"\\u00e9@ex.de\"]}",
        "{\"users\": [\"a\"], \"users\": [\"b\"]}", "{\"other\": 1, \"users\": [\"x\"]}",
    };
    private static final byte[] ALPHABET = "{}[]\",:\\nulltruefalse0123456789.-+eE@ ux\u00ff".getBytes(
            StandardCharsets.ISO_8859_1);

    @Test
    void parserNeverFailsOtherThanMalformed() {
        SplittableRandom rnd = new SplittableRandom(20261123L);
        int accepted = 0;
        int rejected = 0;
        for (int i = 0; i < INPUTS; i++) {
            byte[] input = switch (i % 4) {
                case 0 -> mutate(SEEDS[rnd.nextInt(SEEDS.length)].getBytes(StandardCharsets.UTF_8), rnd);
                case 1 -> randomBytes(rnd);
                case 2 -> randomTokens(rnd);
                default -> nested(rnd);
            };
            try {
                List<String> users = parse(input, rnd.nextInt(8) == 0 ? "text/plain" : "");
                users.forEach(u -> assertTrue(u instanceof String));
                accepted++;
            } catch (MalformedBodyException e) {
                rejected++;
            } catch (RuntimeException | StackOverflowError e) {
                fail("input " + new String(input, StandardCharsets.ISO_8859_1) + " escaped with " + e);
            }
        }
        System.out.println("query-json body fuzz: " + INPUTS + " inputs, " + accepted + " accepted, " + rejected
                + " rejected as 400");
        assertEquals(INPUTS, accepted + rejected);
        assertTrue(accepted > 1000 && rejected > 1000, "the generator reaches both outcomes");
    }

    @Test
    void binaryUsersAreReadAsUtf8TextAsTheOriginalDoes() {
        // what the MessagePack codec hands over for bin values: byte arrays
        java.util.Map<String, Object> doc = java.util.Map.of("users", List.of(
                "a@ex.de".getBytes(StandardCharsets.UTF_8), "\u00e9@ex.de".getBytes(StandardCharsets.UTF_8), "b@ex.de"));
        assertEquals(List.of("a@ex.de", "\u00e9@ex.de", "b@ex.de"), QueryService.parseUsers(doc));
        try {
            QueryService.parseUsers(java.util.Map.of("users", List.of(new byte[] {(byte) 0xc3, 0x28})));
            fail("accepted a binary user that is not UTF-8");
        } catch (MalformedBodyException expected) {
            // 400
        }
    }

    @Test
    void knownCases() {
        assertEquals(List.of("a@ex.de"), parse("{\"users\":[\"a@ex.de\"]}".getBytes(), ""));
        assertEquals(List.of(), parse(new byte[0], ""));
        assertEquals(List.of(), parse("[1,2]".getBytes(), ""));
        assertEquals(List.of(), parse("null".getBytes(), ""));
        for (String bad : List.of("{\"users\": \"x\"}", "{\"users\": [1]}", "{\"users\": [null]}", "{", "{}x",
                "{\"users\": [\"a\"]", "\u00ff")) {
            try {
                parse(bad.getBytes(StandardCharsets.ISO_8859_1), "");
                fail("accepted " + bad);
            } catch (MalformedBodyException expected) {
                // 400
            }
        }
        byte[] invalidUtf8 = {'{', '"', 'u', 's', 'e', 'r', 's', '"', ':', '[', '"', (byte) 0xc3, (byte) 0x28, '"',
            ']', '}'};
        try {
            parse(invalidUtf8, "");
            fail("accepted invalid UTF-8");
        } catch (MalformedBodyException expected) {
            // 400
        }
        String deep = "[".repeat(100_000);
        try {
            parse(deep.getBytes(), "");
            fail("accepted unterminated nesting");
        } catch (MalformedBodyException expected) {
            // 400, no stack overflow
        }
    }

    /** The request path of query-json: decode by content type (no codec plugins), then validate. */
    private static List<String> parse(byte[] body, String contentType) {
        return QueryService.parseUsers(CODECS.decode(contentType, body));
    }

    private static byte[] mutate(byte[] seed, SplittableRandom rnd) {
        byte[] out = seed.clone();
        int n = 1 + rnd.nextInt(3);
        for (int k = 0; k < n && out.length > 0; k++) {
            out[rnd.nextInt(out.length)] = ALPHABET[rnd.nextInt(ALPHABET.length)];
        }
        return out;
    }

    private static byte[] randomBytes(SplittableRandom rnd) {
        byte[] b = new byte[rnd.nextInt(40)];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) rnd.nextInt(256);
        }
        return b;
    }

    private static byte[] randomTokens(SplittableRandom rnd) {
        byte[] b = new byte[rnd.nextInt(60)];
        for (int i = 0; i < b.length; i++) {
            b[i] = ALPHABET[rnd.nextInt(ALPHABET.length)];
        }
        return b;
    }

    private static byte[] nested(SplittableRandom rnd) {
        int depth = rnd.nextInt(300);
        String s = "{\"users\": " + "[".repeat(depth) + "\"a\"" + "]".repeat(rnd.nextInt(depth + 1)) + "}";
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
