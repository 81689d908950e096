package xspct.core.codec;

import xspct.api.BodyCodecProvider;

/**
 * A negotiated response format: the media type written as {@code Content-Type} and the codec that encodes the
 * body. JSON is built in ({@link #JSON}); every other format is one of the media types an installed
 * {@link BodyCodecProvider} declares (its first one, which is the type its responses carry).
 *
 * @param contentType the exact response {@code Content-Type}, without parameters
 * @param codec       the codec encoding responses in this format
 */
public record BodyFormat(String contentType, BodyCodecProvider codec) {

    /** {@code application/json}, always available. */
    public static final BodyFormat JSON = new BodyFormat(JsonCodec.MEDIA_TYPE, JsonCodec.PROVIDER);

    /**
     * Encodes a response value in this format.
     *
     * @param value plain Java data
     * @return the body
     */
    public byte[] encode(Object value) {
        return codec.encode(value);
    }

    @Override
    public String toString() {
        return contentType;
    }
}
