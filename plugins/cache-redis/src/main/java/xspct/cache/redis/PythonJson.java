package xspct.cache.redis;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;

/**
 * User objects as JSON text, the way xspct_db 0.7 stores them: written like Python's {@code json.dumps} (separators
 * {@code ", "} and {@code ": "}, non-ASCII as {@code \}{@code uXXXX}), read with any whitespace and escapes.
 * Writing the same bytes keeps the keys identical when old and new instances share one Redis.
 */
final class PythonJson {

    /** The stored text is not a JSON object. */
    static final class MalformedJsonException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedJsonException(String message) {
            super(message, null, false, false);
        }
    }

    private static final Pattern POSITION = Pattern.compile(" at line \\d+ column \\d+");

    private PythonJson() {
    }

    // ---------------------------------------------------------------- writing

    static String write(Object value) {
        StringBuilder sb = new StringBuilder(128);
        write(sb, value);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object v) {
        switch (v) {
            case null -> sb.append("null");
            case String s -> string(sb, s);
            case Boolean b -> sb.append(b ? "true" : "false");
            case Integer i -> sb.append(i);
            case Long l -> sb.append(l);
            case Short s -> sb.append(s);
            case Byte b -> sb.append(b);
            case BigInteger b -> sb.append(b);
            case Double d -> number(sb, d);
            case Float f -> number(sb, f.doubleValue());
            case BigDecimal d -> sb.append(d.toPlainString());
            case Map<?, ?> m -> {
                sb.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!first) {
                        sb.append(", ");
                    }
                    first = false;
                    string(sb, String.valueOf(e.getKey()));
                    sb.append(": ");
                    write(sb, e.getValue());
                }
                sb.append('}');
            }
            case List<?> l -> {
                sb.append('[');
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) {
                        sb.append(", ");
                    }
                    write(sb, l.get(i));
                }
                sb.append(']');
            }
            case byte[] b -> string(sb, Base64.getEncoder().encodeToString(b));
            default -> string(sb, v.toString());
        }
    }

    /** Python's float repr for the common cases; NaN and infinities as Python writes them. */
    private static void number(StringBuilder sb, double d) {
        if (Double.isNaN(d)) {
            sb.append("NaN");
        } else if (Double.isInfinite(d)) {
            sb.append(d > 0 ? "Infinity" : "-Infinity");
        } else if (d == Math.rint(d) && Math.abs(d) < 1e16) {
            sb.append((long) d).append(".0");
        } else {
            sb.append(Double.toString(d).replace("E", "e"));
        }
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c >= 0x20 && c < 0x7f) {
                        sb.append(c);
                    } else {
                        // ensure_ascii: every other char as \\uXXXX, supplementary ones as their surrogate pair
                        sb.append("\\u").append(HEX[c >> 12 & 0xf]).append(HEX[c >> 8 & 0xf])
                                .append(HEX[c >> 4 & 0xf]).append(HEX[c & 0xf]);
                    }
                }
            }
        }
        sb.append('"');
    }

    // ---------------------------------------------------------------- reading

    /**
     * Reads a JSON object.
     *
     * @param text the stored text
     * @return the object, in document order (a repeated key keeps its first position and last value, as Python)
     * @throws MalformedJsonException when the text is not a single JSON object
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> readObject(String text) throws MalformedJsonException {
        try (JsonReader r = new JsonReader(new StringReader(text))) {
            // plain JSON as json.loads reads it (only NaN/Infinity, which no backend produces, are refused)
            r.setStrictness(Strictness.LEGACY_STRICT);
            if (r.peek() != JsonToken.BEGIN_OBJECT) {
                throw new MalformedJsonException("not a JSON object");
            }
            Object v = value(r);
            if (r.peek() != JsonToken.END_DOCUMENT) {
                throw new MalformedJsonException("text after the JSON object");
            }
            return (Map<String, Object>) v;
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            // gson's messages carry advice and links; keep the position only
            Matcher m = POSITION.matcher(String.valueOf(e.getMessage()));
            throw new MalformedJsonException("invalid JSON" + (m.find() ? m.group() : ""));
        }
    }

    private static Object value(JsonReader r) throws IOException {
        return switch (r.peek()) {
            case BEGIN_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                r.beginObject();
                while (r.hasNext()) {
                    String k = r.nextName();
                    m.put(k, value(r));
                }
                r.endObject();
                yield m;
            }
            case BEGIN_ARRAY -> {
                List<Object> l = new ArrayList<>();
                r.beginArray();
                while (r.hasNext()) {
                    l.add(value(r));
                }
                r.endArray();
                yield l;
            }
            case STRING -> r.nextString();
            case NUMBER -> number(r.nextString());
            case BOOLEAN -> r.nextBoolean();
            case NULL -> {
                r.nextNull();
                yield null;
            }
            default -> throw new IOException("unexpected " + r.peek() + " at " + r.getPath());
        };
    }

    private static Object number(String s) {
        if (s.indexOf('.') >= 0 || s.indexOf('e') >= 0 || s.indexOf('E') >= 0) {
            return Double.parseDouble(s);
        }
        BigInteger b = new BigInteger(s);
        return b.bitLength() < 64 ? (Object) b.longValue() : b;
    }
}
