package xspct.core.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects configuration problems so that a bad file is reported with every problem at once.
 */
public final class Problems {
    private final List<String> items = new ArrayList<>();

    /**
     * Records a problem.
     *
     * @param path    the key path, e.g. {@code xspct_db_listen_port}
     * @param message what is wrong
     */
    public synchronized void add(String path, String message) {
        items.add(path.isEmpty() ? message : path + ": " + message);
    }

    /** {@return the problems recorded so far, in order} */
    public synchronized List<String> list() {
        return List.copyOf(items);
    }

    /** {@return true when nothing was recorded} */
    public synchronized boolean isEmpty() {
        return items.isEmpty();
    }

    /**
     * Throws when a problem was recorded.
     *
     * @param source the file the problems were found in, for the message
     * @throws ConfigException listing every problem
     */
    public void throwIfAny(String source) {
        List<String> all = list();
        if (!all.isEmpty()) {
            throw new ConfigException(source, all);
        }
    }
}
