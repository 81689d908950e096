package xspct.server;

/**
 * The HTTP listeners could not be opened (address in use, permission denied).
 */
public final class ServerStartException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ServerStartException(String message) {
        super(message, null, false, false);
    }
}
