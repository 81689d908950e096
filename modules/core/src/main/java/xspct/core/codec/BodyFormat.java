package xspct.core.codec;

/**
 * The two body formats of the lookup endpoints .
 */
public enum BodyFormat {
    /** {@code application/json}. */
    JSON("application/json"),
    /** {@code application/msgpack} (requests may also say {@code application/x-msgpack}). */
    MSGPACK("application/msgpack");

    private final String contentType;

    BodyFormat(String contentType) {
        this.contentType = contentType;
    }

    /** {@return the exact response {@code Content-Type}, without parameters} */
    public String contentType() {
        return contentType;
    }
}
