package xspct.core;

import java.util.concurrent.Callable;

/**
 * The tag of the request the current thread works for, e.g. {@code 3f9a1c07 rspamd=4E2A1B}: the HTTP front end
 * opens it per request, the log formatter prints it on every line, and the core carries it over to the threads a
 * request fans out to (parallel queries, slot workers), so that a backend's log line names its request too.
 */
public final class LogContext {
    private static final ThreadLocal<String> TAG = new ThreadLocal<>();

    private LogContext() {
    }

    /** {@return the current thread's request tag; empty outside a request} */
    public static String current() {
        String t = TAG.get();
        return t == null ? "" : t;
    }

    /**
     * Sets the tag until the returned scope is closed; closing restores the previous tag.
     *
     * @param tag the tag
     * @return the scope
     */
    public static Scope open(String tag) {
        String previous = TAG.get();
        TAG.set(tag);
        return () -> {
            if (previous == null) {
                TAG.remove();
            } else {
                TAG.set(previous);
            }
        };
    }

    /**
     * Wraps a task so that it runs with the caller's tag, on whatever thread runs it.
     *
     * @param task the task
     * @param <T>  its result
     * @return the wrapped task
     */
    // the scope is held for its effect on the thread, not used
    @SuppressWarnings("try")
    public static <T> Callable<T> propagate(Callable<T> task) {
        String tag = TAG.get();
        if (tag == null) {
            return task;
        }
        return () -> {
            try (Scope s = open(tag)) {
                return task.call();
            }
        };
    }

    /**
     * Wraps a task so that it runs with the caller's tag.
     *
     * @param task the task
     * @return the wrapped task
     */
    // the scope is held for its effect on the thread, not used
    @SuppressWarnings("try")
    public static Runnable propagate(Runnable task) {
        String tag = TAG.get();
        if (tag == null) {
            return task;
        }
        return () -> {
            try (Scope s = open(tag)) {
                task.run();
            }
        };
    }

    /** An open tag; {@link #close()} restores the previous one. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
