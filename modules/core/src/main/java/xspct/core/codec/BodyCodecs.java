package xspct.core.codec;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

import xspct.api.BodyCodecProvider;

/**
 * Request decoding and response format negotiation . JSON is built in; MessagePack needs a
 * {@link BodyCodecProvider} plugin. Without it, responses fall back to JSON and MessagePack request bodies are
 * refused as unreadable.
 */
public final class BodyCodecs {
    private static final String MSGPACK = "application/msgpack";
    private static final String X_MSGPACK = "application/x-msgpack";

    private final BodyCodecProvider msgpack;

    private BodyCodecs(BodyCodecProvider msgpack) {
        this.msgpack = msgpack;
    }

    /**
     * Picks the MessagePack codec among the installed codec providers.
     *
     * @param providers the providers found in plugins
     * @return the codecs
     */
    public static BodyCodecs of(List<BodyCodecProvider> providers) {
        for (BodyCodecProvider p : providers) {
            if (p.mediaTypes().contains(MSGPACK) || p.mediaTypes().contains(X_MSGPACK)) {
                return new BodyCodecs(p);
            }
        }
        return new BodyCodecs(null);
    }

    /** {@return true when a MessagePack codec is installed} */
    public boolean msgpackAvailable() {
        return msgpack != null;
    }

    /**
     * The response format: the first {@code Accept} entry (in textual order, q-values ignored) naming JSON or
     * MessagePack; else MessagePack when the request body is MessagePack; else JSON. MessagePack is only chosen
     * when the codec is installed.
     *
     * @param accept      the {@code Accept} header, or null
     * @param contentType the request {@code Content-Type}, or null
     * @return the format
     */
    public BodyFormat negotiate(String accept, String contentType) {
        BodyFormat f = BodyFormat.JSON;
        decided:
        {
            if (accept != null) {
                for (String entry : accept.split(",")) {
                    String t = mediaType(entry);
                    if (t.equals(MSGPACK) || t.equals(X_MSGPACK)) {
                        f = BodyFormat.MSGPACK;
                        break decided;
                    }
                    if (t.equals("application/json")) {
                        break decided;
                    }
                }
            }
            if (isMsgpack(contentType)) {
                f = BodyFormat.MSGPACK;
            }
        }
        return f == BodyFormat.MSGPACK && msgpack == null ? BodyFormat.JSON : f;
    }

    /**
     * Decodes a request body: MessagePack when the {@code Content-Type} says so, JSON otherwise.
     *
     * @param contentType the request {@code Content-Type}, or null
     * @param body        the body
     * @return the value; null for an empty body
     * @throws MalformedBodyException when the body cannot be decoded, or is MessagePack without the codec
     */
    public Object decode(String contentType, byte[] body) {
        if (body.length == 0) {
            return null;
        }
        if (isMsgpack(contentType)) {
            if (msgpack == null) {
                throw new MalformedBodyException("MessagePack request body, but the msgpack codec plugin is not "
                        + "installed");
            }
            try {
                return msgpack.decode(body);
            } catch (RuntimeException e) {
                throw new MalformedBodyException("malformed MessagePack: " + e.getMessage());
            }
        }
        return JsonCodec.read(body);
    }

    /**
     * Encodes a response value.
     *
     * @param format the negotiated format
     * @param value  plain Java data
     * @return the body
     */
    public byte[] encode(BodyFormat format, Object value) {
        if (format == BodyFormat.MSGPACK && msgpack != null) {
            return msgpack.encode(value);
        }
        return JsonCodec.write(value);
    }

    /**
     * The media type of a request {@code Content-Type}, lower case, parameters removed.
     *
     * @param header the header value, or null
     * @return the media type, empty when absent
     */
    public static String mediaType(String header) {
        if (header == null) {
            return "";
        }
        int semi = header.indexOf(';');
        return (semi < 0 ? header : header.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    }

    private static boolean isMsgpack(String contentType) {
        String t = mediaType(contentType);
        return t.equals(MSGPACK) || t.equals(X_MSGPACK);
    }

    /** {@return the installed MessagePack codec, if any} */
    public Optional<BodyCodecProvider> msgpack() {
        return Optional.ofNullable(msgpack);
    }
}
