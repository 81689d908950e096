package xspct.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;

import xspct.core.codec.MalformedBodyException;

/**
 * The body of {@code POST /v1/rspamd-settings} . Every field is optional.
 *
 * @param uid          {@code uid} (Rspamd's task id, for log lines), default empty
 * @param from         {@code from}, default empty
 * @param rcpts        {@code rcpts}, default empty; duplicates kept
 * @param mtaName      {@code mta-name} or null
 * @param mtaHost      {@code mta-host} or null
 * @param ip           {@code ip} or null
 * @param settingsName {@code settings-name} or null
 * @param settingsId   {@code settings-id} or null
 */
public record RspamdRequest(String uid, String from, List<String> rcpts, String mtaName, String mtaHost, String ip,
                           String settingsName, String settingsId) {

    /** An empty request. */
    public static final RspamdRequest EMPTY = new RspamdRequest("", "", List.of(), null, null, null, null, null);

    /** Copies the recipients. */
    public RspamdRequest {
        rcpts = List.copyOf(rcpts);
    }

    /**
     * Reads a decoded body. Anything but a map counts as an empty request.
     *
     * @param doc the decoded body (null for an empty body)
     * @return the request
     * @throws MalformedBodyException when a field has the wrong type (e.g. {@code "from": null}, {@code "rcpts": "x"})
     */
    public static RspamdRequest of(Object doc) {
        if (!(doc instanceof Map<?, ?> m)) {
            return EMPTY;
        }
        return new RspamdRequest(string(m, "uid"), string(m, "from"), rcpts(m), nullable(m, "mta-name"),
                nullable(m, "mta-host"), nullable(m, "ip"), nullable(m, "settings-name"),
                nullable(m, "settings-id"));
    }

    private static String string(Map<?, ?> m, String key) {
        if (!m.containsKey(key)) {
            return "";
        }
        if (m.get(key) instanceof String s) {
            return s;
        }
        throw new MalformedBodyException(key + " must be a string");
    }

    private static String nullable(Map<?, ?> m, String key) {
        Object v = m.get(key);
        if (v == null || v instanceof String) {
            return (String) v;
        }
        throw new MalformedBodyException(key + " must be a string or null");
    }

    private static List<String> rcpts(Map<?, ?> m) {
        if (!m.containsKey("rcpts")) {
            return List.of();
        }
        if (!(m.get("rcpts") instanceof List<?> l)) {
            throw new MalformedBodyException("rcpts must be a list of strings");
        }
        List<String> out = new ArrayList<>(l.size());
        for (Object o : l) {
            if (!(o instanceof String s)) {
                throw new MalformedBodyException("rcpts must be a list of strings");
            }
            out.add(s);
        }
        return out;
    }

    /**
     * The value a request contributes to the response-cache key for one {@code rspamd_key_fields} name :
     * {@code rcpts} as a set, unknown names (and {@code uid}, {@code ip}, {@code mta-host}) as null.
     *
     * @param field the field name
     * @return the key part (may be null)
     */
    public Object keyPart(String field) {
        return switch (field) {
            case "from" -> from;
            case "rcpts" -> Set.copyOf(rcpts); // compared as a set: the order of recipients does not matter
            case "mta-name" -> mtaName;
            case "settings-name" -> settingsName;
            case "settings-id" -> settingsId;
            default -> null;
        };
    }

    /**
     * The key parts for a list of field names, in order.
     *
     * @param fields the field names
     * @return the parts (nulls allowed)
     */
    public List<Object> keyParts(List<String> fields) {
        Object[] parts = new Object[fields.size()];
        for (int i = 0; i < parts.length; i++) {
            parts[i] = keyPart(fields.get(i));
        }
        return Collections.unmodifiableList(Arrays.asList(parts));
    }
}
