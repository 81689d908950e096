package xspct.core;

/**
 * What a lookup endpoint answers, before HTTP.
 */
public sealed interface EndpointResult {

    /**
     * 200 with an encoded body.
     *
     * @param body        the body
     * @param contentType exactly {@code application/json} or {@code application/msgpack}
     */
    record Body(byte[] body, String contentType) implements EndpointResult {
    }

    /**
     * 500 with a backend's error text, e.g. {@code 500 LDAP connection error}.
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
