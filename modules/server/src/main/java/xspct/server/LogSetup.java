package xspct.server;

import java.io.PrintStream;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.logging.StreamHandler;

import xspct.core.LogContext;

/**
 * Log lines as the original writes them, on standard output: {@code <prefix> <LEVEL> <function> <message>}; a line
 * written while answering a request starts its message with the request's tag, e.g.
 * {@code Xspct_DB DEBUG filter [3f9a1c07 rspamd=4E2A1B] answered 200 in 1.2 ms}.
 * {@code xspct_db_log_level} uses Python's numeric levels (10 DEBUG, 20 INFO, 30 WARNING, 40 ERROR, 50 CRITICAL).
 */
final class LogSetup {
    private LogSetup() {
    }

    static void install(int pythonLevel, String prefix) {
        ServerLogManager.clear();
        Logger root = Logger.getLogger("");
        Level level = julLevel(pythonLevel);
        root.setLevel(level);
        Handler h = new StdoutHandler(System.out);
        h.setLevel(level);
        h.setFormatter(new PythonStyle(prefix));
        root.addHandler(h);
    }

    static Level julLevel(int python) {
        if (python <= 10) {
            return Level.FINE;
        }
        if (python <= 20) {
            return Level.INFO;
        }
        if (python <= 30) {
            return Level.WARNING;
        }
        return Level.SEVERE;
    }

    static String pythonName(Level level) {
        int v = level.intValue();
        if (v >= Level.SEVERE.intValue()) {
            return "ERROR";
        }
        if (v >= Level.WARNING.intValue()) {
            return "WARNING";
        }
        if (v >= Level.INFO.intValue()) {
            return "INFO";
        }
        return "DEBUG";
    }

    /**
     * Writes to standard output and flushes every record. Not a ConsoleHandler: switching that one's stream
     * closes its previous stream, System.err, and every later error message would be lost.
     */
    private static final class StdoutHandler extends StreamHandler {
        StdoutHandler(PrintStream out) {
            super(out, new SimpleFormatter());
        }

        @Override
        public synchronized void publish(LogRecord r) {
            super.publish(r);
            flush();
        }

        @Override
        public synchronized void close() {
            flush(); // never close System.out
        }
    }

    /**
     * Appends a message on one line: control characters, which a client can put into any value that gets logged (an
     * address, an Rspamd {@code from}), are written as escapes ({@code \\r}, {@code \\n}, {@code \\t},
     * {@code \\xNN}), so no value can start a forged log line.
     */
    static void appendEscaped(StringBuilder sb, String message) {
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            if (c >= 0x20 && c != 0x7f && (c < 0x80 || c > 0x9f) && c != '\u2028' && c != '\u2029') {
                sb.append(c);
            } else if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\t') {
                sb.append("\\t");
            } else {
                sb.append(c < 0x100 ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c));
            }
        }
    }

    private static final class PythonStyle extends Formatter {
        private final String prefix;

        PythonStyle(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public String format(LogRecord r) {
            String source = r.getSourceMethodName() != null ? r.getSourceMethodName() : r.getLoggerName();
            StringBuilder sb = new StringBuilder(128).append(prefix).append(' ').append(pythonName(r.getLevel()))
                    .append(' ').append(source).append(' ');
            // the request's tag (session id, Rspamd id): formatted on the logging thread, which carries it
            String tag = LogContext.current();
            if (!tag.isEmpty()) {
                sb.append('[').append(tag).append("] ");
            }
            appendEscaped(sb, formatMessage(r));
            if (r.getThrown() != null && r.getLevel().intValue() <= Level.FINE.intValue()) {
                sb.append(" (");
                appendEscaped(sb, String.valueOf(r.getThrown()));
                sb.append(')');
            }
            return sb.append(System.lineSeparator()).toString();
        }
    }
}
