package xspct.core.lookup;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import xspct.core.config.QuerySettings;

/**
 * Turns a raw backend entry into a user object : attribute filter, primary key, key translation and
 * value splitting. Values become lists; scalars other than strings are rendered as strings.
 */
final class EntryTranslation {
    private EntryTranslation() {
    }

    /**
     * The translated entry.
     *
     * @param pk   the primary key, or null when the entry has none (the caller falls back to the address)
     * @param user the user object
     */
    record Translated(String pk, Map<String, Object> user) {
    }

    static final class TranslationException extends Exception {
        private static final long serialVersionUID = 1L;

        TranslationException(String message) {
            super(message, null, false, false);
        }
    }

    static Translated translate(Map<String, Object> raw, QuerySettings q, String forcedPk)
            throws TranslationException {
        String pkName = q.primaryKey();
        Map<String, String> kt = q.keyTranslation();
        Map<String, String> vs = q.valueSplit();
        List<String> filter = q.attrList().orElse(null);
        if (filter != null && filter.isEmpty()) {
            throw new TranslationException("attr_list is empty");
        }
        String pk = null;
        Map<String, Object> result = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : raw.entrySet()) {
            String a = e.getKey();
            if (filter != null && !filter.contains(a)) {
                continue;
            }
            List<Object> parts = split(e.getValue(), vs.get(a));
            if (a.equals(pkName) && !parts.isEmpty() && parts.get(0) != null) {
                pk = text(parts.get(0));
            }
            String t = kt.getOrDefault(a, a);
            @SuppressWarnings("unchecked")
            List<Object> existing = (List<Object>) result.get(t);
            List<Object> target = existing == null ? new ArrayList<>() : split(existing, vs.get(t));
            target.addAll(parts);
            result.put(t, target);
        }
        if (pk == null && result.get(pkName) instanceof List<?> l && !l.isEmpty() && l.get(0) != null) {
            pk = text(l.get(0));
        }
        if (forcedPk != null) {
            pk = forcedPk;
        }
        if (pk != null && pk.isEmpty()) {
            pk = null;
        }
        return new Translated(pk, result);
    }

    /** Splits one raw value into list elements; {@code separator} null means no rule for the attribute. */
    static List<Object> split(Object value, String separator) {
        List<Object> out = new ArrayList<>();
        if (value == null) {
            return out;
        }
        if (value instanceof List<?> l) {
            for (Object o : l) {
                if (o instanceof String s && separator != null) {
                    splitInto(s, separator, out);
                } else {
                    out.add(element(o));
                }
            }
            return out;
        }
        if (value instanceof Map<?, ?> m) {
            for (Object k : m.keySet()) {
                out.add(text(k));
            }
            return out;
        }
        String s = text(value);
        if (separator != null) {
            splitInto(s, separator, out);
        } else {
            out.add(s);
        }
        return out;
    }

    private static void splitInto(String s, String sep, List<Object> out) {
        if (sep.isEmpty()) {
            out.add(s);
            return;
        }
        int from = 0;
        while (true) {
            int i = s.indexOf(sep, from);
            if (i < 0) {
                out.add(s.substring(from));
                return;
            }
            out.add(s.substring(from, i));
            from = i + sep.length();
        }
    }

    /** List elements keep numbers and strings (as the original does); other types are rendered as text. */
    private static Object element(Object o) {
        if (o == null || o instanceof String || o instanceof Long || o instanceof Integer
                || o instanceof BigInteger || o instanceof Map || o instanceof List) {
            return o;
        }
        return text(o);
    }

    /** Python {@code str()} for YAML scalars; canonical text for types the original cannot render. */
    static String text(Object o) {
        if (o instanceof String s) {
            return s;
        }
        if (o instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (o instanceof Double d) {
            return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
        }
        if (o instanceof BigDecimal d) {
            return d.toPlainString();
        }
        if (o instanceof byte[] bytes) {
            try {
                return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                return Base64.getEncoder().encodeToString(bytes);
            }
        }
        if (o instanceof Date d) {
            return d.toInstant().toString();
        }
        return String.valueOf(o);
    }
}
