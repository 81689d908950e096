package xspct.api;

import java.util.List;

/**
 * Encodes and decodes request and response bodies of one binary format besides JSON, e.g. MessagePack.
 *
 * <p>A plugin module declares {@code provides xspct.api.BodyCodecProvider with ...}. The core uses it for the
 * media types it names: request bodies whose {@code Content-Type} is one of them are decoded with
 * {@link #decode(byte[])}, and responses negotiated to one of them are encoded with {@link #encode(Object)}.
 * Without a provider the service answers in JSON and refuses such request bodies as unreadable.
 *
 * <p>Values exchanged with the core are plain Java data: {@code java.util.Map} (insertion-ordered),
 * {@code java.util.List}, {@code String}, {@code byte[]} (binary), {@code Long}, {@code Integer},
 * {@code java.math.BigInteger}, {@code Double}, {@code Float}, {@code Boolean} and null. Implementations must be
 * thread-safe and keep no per-request state.
 *
 * @since API 1.1
 */
public interface BodyCodecProvider extends PluginProvider {

    /**
     * The media types this codec handles, lower case and without parameters. The first one is the
     * {@code Content-Type} of encoded responses, e.g. {@code ["application/msgpack", "application/x-msgpack"]}.
     *
     * @return at least one media type
     */
    List<String> mediaTypes();

    /**
     * Decodes one complete request body.
     *
     * @param body the body; never empty
     * @return the decoded value as plain Java data
     * @throws IllegalArgumentException when the body is malformed, truncated, or followed by trailing data
     */
    Object decode(byte[] body);

    /**
     * Encodes a response value. Strings are written as text (not binary), floating-point numbers as 64-bit floats.
     *
     * @param value plain Java data
     * @return the encoded body
     */
    byte[] encode(Object value);
}
