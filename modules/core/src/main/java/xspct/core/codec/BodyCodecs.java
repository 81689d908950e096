package xspct.core.codec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import xspct.api.BodyCodecProvider;

/**
 * Request decoding and response format negotiation over JSON (built in) and whatever media types the installed
 * {@link BodyCodecProvider}s declare. A media type the original service understands but no installed codec serves
 * (see {@link OriginalFormats}) is still recognised: responses asked in it fall back to JSON and request bodies in
 * it are refused as unreadable, as without the codec before.
 */
public final class BodyCodecs {
    /** Served media type (any of a codec's, lower case) → the format answering it. */
    private final Map<String, BodyFormat> served;
    /** Media types of the original's formats that no installed codec serves. */
    private final Map<String, OriginalFormats.Format> unserved;

    private BodyCodecs(Map<String, BodyFormat> served, Map<String, OriginalFormats.Format> unserved) {
        this.served = served;
        this.unserved = unserved;
    }

    /**
     * Serves the media types the installed codec providers declare; when two declare one type, the first wins.
     * JSON stays the built-in codec.
     *
     * @param providers the providers found in plugins, in plugin order
     * @return the codecs
     */
    public static BodyCodecs of(List<BodyCodecProvider> providers) {
        Map<String, BodyFormat> served = new HashMap<>();
        served.put(JsonCodec.MEDIA_TYPE, BodyFormat.JSON);
        for (BodyCodecProvider p : providers) {
            BodyFormat format = new BodyFormat(normalised(p.mediaTypes().getFirst()), p);
            for (String t : p.mediaTypes()) {
                served.putIfAbsent(normalised(t), format);
            }
        }
        Map<String, OriginalFormats.Format> unserved = new HashMap<>();
        for (OriginalFormats.Format f : OriginalFormats.ALL) {
            for (String t : f.mediaTypes()) {
                if (!served.containsKey(t)) {
                    unserved.put(t, f);
                }
            }
        }
        return new BodyCodecs(Map.copyOf(served), Map.copyOf(unserved));
    }

    /**
     * What the service cannot do for want of a codec plugin, one sentence per format of the original that no
     * installed codec serves; logged as warnings at start.
     *
     * @return the sentences, empty when every format is served
     */
    public List<String> missingCodecs() {
        List<String> out = new ArrayList<>();
        for (OriginalFormats.Format f : OriginalFormats.ALL) {
            if (f.mediaTypes().stream().anyMatch(unserved::containsKey)) {
                out.add("the " + f.plugin() + " codec plugin is not installed: responses are JSON only and "
                        + f.name() + " request bodies are refused (400)");
            }
        }
        return out;
    }

    /**
     * The response format: the first {@code Accept} entry (in textual order, q-values ignored) naming a known
     * format; else the format of the request body; else JSON. A known format without an installed codec answers
     * in JSON.
     *
     * @param accept      the {@code Accept} header, or null
     * @param contentType the request {@code Content-Type}, or null
     * @return the format
     */
    public BodyFormat negotiate(String accept, String contentType) {
        if (accept != null) {
            for (String entry : accept.split(",")) {
                String t = mediaType(entry);
                BodyFormat f = served.get(t);
                if (f != null) {
                    return f;
                }
                if (unserved.containsKey(t)) {
                    return BodyFormat.JSON;
                }
            }
        }
        BodyFormat f = served.get(mediaType(contentType));
        return f != null ? f : BodyFormat.JSON;
    }

    /**
     * Decodes a request body with the codec serving its {@code Content-Type}; JSON for any other type.
     *
     * @param contentType the request {@code Content-Type}, or null
     * @param body        the body
     * @return the value; null for an empty body
     * @throws MalformedBodyException when the body cannot be decoded, or is in a format of the original whose codec
     *                                is not installed
     */
    public Object decode(String contentType, byte[] body) {
        if (body.length == 0) {
            return null;
        }
        String t = mediaType(contentType);
        BodyFormat f = served.get(t);
        if (f == null || f == BodyFormat.JSON) {
            OriginalFormats.Format missing = unserved.get(t);
            if (missing != null) {
                throw new MalformedBodyException(missing.name() + " request body, but the " + missing.plugin()
                        + " codec plugin is not installed");
            }
            return JsonCodec.read(body);
        }
        try {
            return f.codec().decode(body);
        } catch (RuntimeException e) {
            throw new MalformedBodyException("malformed " + t + " body: " + e.getMessage());
        }
    }

    /**
     * Encodes a response value.
     *
     * @param format the negotiated format
     * @param value  plain Java data
     * @return the body
     */
    public byte[] encode(BodyFormat format, Object value) {
        return format.encode(value);
    }

    /**
     * The media type of a {@code Content-Type} or {@code Accept} entry, lower case, parameters removed.
     *
     * @param header the header value, or null
     * @return the media type, empty when absent
     */
    public static String mediaType(String header) {
        if (header == null) {
            return "";
        }
        int semi = header.indexOf(';');
        return normalised(semi < 0 ? header : header.substring(0, semi));
    }

    private static String normalised(String mediaType) {
        return mediaType.trim().toLowerCase(Locale.ROOT);
    }
}
