package xspct.api.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * The log records one logger (and the loggers below it) writes while a test runs, for tests that assert what is
 * logged. {@link System.Logger}, which the core and the plugins log with, goes to {@code java.util.logging} in
 * tests; this captures there, so that a plugin's tests need neither the core nor {@code java.logging} themselves.
 * Levels are {@link System.Logger.Level}s. Thread-safe; close it (try-with-resources) to stop capturing.
 *
 * <pre>{@code
 * try (CapturedLog log = CapturedLog.of(RedisTier.class)) {
 *     ...
 *     assertEquals(1, log.count(System.Logger.Level.WARNING, "unusable"));
 * }
 * }</pre>
 *
 * @since API 2.3
 */
public final class CapturedLog implements AutoCloseable {

    /**
     * One captured record.
     *
     * @param level   its level
     * @param message its message, formatted
     * @param thrown  the text of its throwable and their causes ({@code Type: message} each), empty when none
     */
    public record Entry(System.Logger.Level level, String message, String thrown) {
    }

    /** Formats a record's message with its parameters, as the console would. */
    private static final SimpleFormatter FORMATTER = new SimpleFormatter();

    private final Logger logger;
    private final Level previousLevel;
    private final List<Entry> entries = new ArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            add(new Entry(level(r.getLevel()), message(r), thrown(r.getThrown())));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private CapturedLog(String loggerName) {
        logger = Logger.getLogger(loggerName);
        previousLevel = logger.getLevel();
        logger.setLevel(Level.ALL);
        logger.addHandler(handler);
    }

    /**
     * Starts capturing what a class logs ({@code System.getLogger(type.getName())}), at every level.
     *
     * @param type the logging class
     * @return the capture
     */
    public static CapturedLog of(Class<?> type) {
        return new CapturedLog(type.getName());
    }

    /**
     * Starts capturing what a logger and the loggers below it log, e.g. a plugin's package name, at every level.
     *
     * @param loggerName the logger name
     * @return the capture
     */
    public static CapturedLog of(String loggerName) {
        return new CapturedLog(loggerName);
    }

    private synchronized void add(Entry e) {
        entries.add(e);
    }

    /** {@return every record captured so far, in order} */
    public synchronized List<Entry> entries() {
        return List.copyOf(entries);
    }

    /**
     * The messages logged at one level.
     *
     * @param level the level
     * @return the messages, in order
     */
    public List<String> messages(System.Logger.Level level) {
        return entries().stream().filter(e -> e.level() == level).map(Entry::message).toList();
    }

    /**
     * How many records of a level contain a fragment in their message.
     *
     * @param level    the level
     * @param fragment the text to look for
     * @return the count
     */
    public long count(System.Logger.Level level, String fragment) {
        return entries().stream().filter(e -> e.level() == level && e.message().contains(fragment)).count();
    }

    /**
     * Whether a record of a level contains a fragment in its message.
     *
     * @param level    the level
     * @param fragment the text to look for
     * @return true when one does
     */
    public boolean contains(System.Logger.Level level, String fragment) {
        return count(level, fragment) > 0;
    }

    /**
     * Whether any record, at any level, contains a fragment in its message or its throwable.
     *
     * @param fragment the text to look for
     * @return true when one does
     */
    public boolean anyContains(String fragment) {
        return entries().stream().anyMatch(e -> e.message().contains(fragment) || e.thrown().contains(fragment));
    }

    /** {@return every record as lines {@code LEVEL: message}, each followed by its throwable's lines, if any} */
    public String text() {
        StringBuilder sb = new StringBuilder();
        for (Entry e : entries()) {
            sb.append(e.level().getName()).append(": ").append(e.message()).append('\n');
            if (!e.thrown().isEmpty()) {
                sb.append(e.thrown()).append('\n');
            }
        }
        return sb.toString();
    }

    /** Stops capturing and gives the logger its level back. */
    @Override
    public void close() {
        logger.removeHandler(handler);
        logger.setLevel(previousLevel);
    }

    private static String message(LogRecord r) {
        return String.valueOf(FORMATTER.formatMessage(r));
    }

    private static String thrown(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            sb.append(sb.isEmpty() ? "" : "\n").append(c);
        }
        return sb.toString();
    }

    private static System.Logger.Level level(Level level) {
        int v = level.intValue();
        if (v >= Level.SEVERE.intValue()) {
            return System.Logger.Level.ERROR;
        }
        if (v >= Level.WARNING.intValue()) {
            return System.Logger.Level.WARNING;
        }
        if (v >= Level.INFO.intValue()) {
            return System.Logger.Level.INFO;
        }
        return v >= Level.FINE.intValue() ? System.Logger.Level.DEBUG : System.Logger.Level.TRACE;
    }
}
