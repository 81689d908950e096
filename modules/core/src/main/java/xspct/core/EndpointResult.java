package xspct.core;

/**
 * What a lookup endpoint answers, before HTTP.
 */
public sealed interface EndpointResult {

    /**
     * 200 with an encoded body.
     *
     * @param body        the body
     * @param contentType the negotiated format's media type, e.g. {@code application/json}
     * @param source      empty, or {@code snapshot/<version>} for an answer of an edge snapshot (the
     *                    {@code X-Xspct-Source} header)
     */
    record Body(byte[] body, String contentType, String source) implements EndpointResult {
        /** An answer of the backends or caches. */
        public Body(byte[] body, String contentType) {
            this(body, contentType, "");
        }
    }

    /**
     * 500 with the error text the failing backend gave.
     *
     * @param body the error body
     */
    record Failure(String body) implements EndpointResult {
    }

    /** 503: no foreground slot within the timeout. */
    record Overloaded() implements EndpointResult {
    }

    /** 504: the lookup exceeded the timeout. */
    record TimedOut() implements EndpointResult {
    }
}
