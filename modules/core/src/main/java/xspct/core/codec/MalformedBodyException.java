package xspct.core.codec;

/**
 * A request body that cannot be decoded; answered with {@code 400 Bad Request}.
 */
public final class MalformedBodyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong (for debug logs only; never sent to the client)
     */
    public MalformedBodyException(String message) {
        super(message, null, false, false);
    }
}
