package xspct.server;

import java.util.logging.LogManager;

/**
 * The JUL log manager of the server. The JDK's own manager resets (drops every handler) in a shutdown hook of its
 * own, which races with the server's shutdown hook and swallows the {@code stopping}/{@code stopped} lines; this
 * one ignores resets until the server has logged its last line. Installed by {@link Main} through the system
 * property {@code java.util.logging.manager}, so it must stay public with a public no-argument constructor.
 */
public final class ServerLogManager extends LogManager {
    private volatile boolean resettable;

    /** Called reflectively by {@link LogManager} when the property names this class. */
    public ServerLogManager() {
    }

    @Override
    public void reset() {
        if (resettable) {
            super.reset();
        }
    }

    /** Closes every handler once the server has stopped logging; later log records are dropped. */
    void finalReset() {
        resettable = true;
        super.reset();
    }

    /**
     * Removes every handler of every logger now (the configuration's default console handler included), without
     * waiting for shutdown.
     */
    static void clear() {
        LogManager m = LogManager.getLogManager();
        if (m instanceof ServerLogManager s) {
            s.resettable = true;
            try {
                s.reset();
            } finally {
                s.resettable = false;
            }
        } else {
            m.reset();
        }
    }
}
