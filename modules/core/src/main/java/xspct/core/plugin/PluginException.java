package xspct.core.plugin;

/**
 * A plugin directory that cannot be loaded; the message names the directory and the cause.
 */
public final class PluginException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what went wrong, naming the plugin directory
     */
    public PluginException(String message) {
        super(message, null, false, false);
    }
}
