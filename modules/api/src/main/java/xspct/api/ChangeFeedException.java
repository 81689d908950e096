package xspct.api;

/**
 * A change feed cannot start because of its configuration or the database account. The core reports the message
 * against the query's {@code change_feed} key (or the sub-key given) and refuses to start.
 *
 * @since API 2.2
 */
public final class ChangeFeedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String key;

    /**
     * Creates the exception.
     *
     * @param key     the key at fault below the query's {@code change_feed} section, e.g. {@code table}, or the
     *                empty string for the section itself (a missing privilege)
     * @param message what is wrong, e.g. {@code table 'policy' does not exist in database 'mail'}
     */
    public ChangeFeedException(String key, String message) {
        super(message, null, false, false);
        this.key = key;
    }

    /** {@return the key at fault below {@code change_feed}, or the empty string} */
    public String key() {
        return key;
    }
}
