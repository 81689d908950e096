package xspct.core.config;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Collects configuration problems so that a bad file is reported with every problem at once. An error stops the
 * start; a warning is something the original service tolerates: the start goes on (logging it), {@code --check}
 * lists it, {@code --strict} refuses it. Start and {@code --check} record into the same collector, so both report
 * the same list. Recording the same problem twice keeps one entry.
 */
public final class Problems {
    /** How bad a problem is. */
    public enum Severity {
        /** The configuration cannot be used. */
        ERROR,
        /** Tolerated as the original tolerates it; the line says what happens instead. */
        WARNING
    }

    /**
     * One problem.
     *
     * @param severity error or warning
     * @param path     the key path, or empty for the file as a whole
     * @param message  what is wrong (and, for a warning, what happens instead)
     */
    public record Problem(Severity severity, String path, String message) {
        /** {@return {@code path: message}, or the message alone when there is no path} */
        public String text() {
            return path.isEmpty() ? message : path + ": " + message;
        }

        /** {@return the line {@code --check} prints: {@code ERROR path: message} or {@code WARNING path: message}} */
        public String line() {
            return severity + " " + text();
        }
    }

    private final Set<Problem> items = new LinkedHashSet<>();

    /**
     * Records an error.
     *
     * @param path    the key path, e.g. {@code xspct_db_listen_port}
     * @param message what is wrong
     */
    public synchronized void add(String path, String message) {
        items.add(new Problem(Severity.ERROR, path, message));
    }

    /**
     * Records a warning: a problem the original tolerates.
     *
     * @param path    the key path
     * @param message the value, what is wrong with it and what the service does instead
     */
    public synchronized void warn(String path, String message) {
        items.add(new Problem(Severity.WARNING, path, message));
    }

    /** {@return every problem, errors and warnings, in the order recorded} */
    public synchronized List<Problem> all() {
        return List.copyOf(items);
    }

    /** {@return the warnings, in order} */
    public synchronized List<Problem> warnings() {
        return items.stream().filter(p -> p.severity() == Severity.WARNING).toList();
    }

    /** {@return the errors as {@code path: message} texts, in order} */
    public synchronized List<String> list() {
        return items.stream().filter(p -> p.severity() == Severity.ERROR).map(Problem::text).toList();
    }

    /** {@return true when no error was recorded (warnings do not count)} */
    public synchronized boolean isEmpty() {
        return items.stream().noneMatch(p -> p.severity() == Severity.ERROR);
    }

    /**
     * Throws when an error was recorded.
     *
     * @param source the file the problems were found in, for the message
     * @throws ConfigException listing every error
     */
    public void throwIfAny(String source) {
        List<String> errors = list();
        if (!errors.isEmpty()) {
            throw new ConfigException(source, errors);
        }
    }
}
