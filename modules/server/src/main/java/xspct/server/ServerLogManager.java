package xspct.server;

import java.util.logging.LogManager;

/**
 * A {@link LogManager} that keeps its handlers during JVM shutdown until the server has logged its stop lines.
 * The default manager resets itself in its own shutdown hook, racing the server's hook and losing those lines.
 */
public final class ServerLogManager extends LogManager {

    /** Created by the JDK through {@code java.util.logging.manager}. */
    public ServerLogManager() {
        super();
    }

    /** Ignored: the JDK calls this from its own shutdown hook; {@link #finishShutdown()} does it at the end. */
    @Override
    public void reset() {
        // handlers stay until the server's shutdown hook has logged its last line
    }

    /** Called at the very end of shutdown: flushes and closes the handlers. */
    void finishShutdown() {
        super.reset();
    }
}
