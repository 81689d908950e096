package xspct.core.config;

import java.util.List;

/**
 * A configuration that cannot be used. The message lists every problem, one per line, and is meant for the
 * operator: it is printed without a stack trace.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient List<String> problems;

    /**
     * Creates the exception.
     *
     * @param source   the file or source of the configuration
     * @param problems the problems, each naming its key path
     */
    public ConfigException(String source, List<String> problems) {
        super(render(source, problems), null, false, false);
        this.problems = List.copyOf(problems);
    }

    /** {@return the individual problems} */
    public List<String> problems() {
        return problems;
    }

    private static String render(String source, List<String> problems) {
        StringBuilder sb = new StringBuilder("invalid configuration ").append(source).append(':');
        for (String p : problems) {
            sb.append(System.lineSeparator()).append("  - ").append(p);
        }
        return sb.toString();
    }
}
