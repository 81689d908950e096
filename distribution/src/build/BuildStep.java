import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The command line of a build step run by a pom ({@code --name=value} options) and how it ends: a
 * {@link BuildFailure} or an I/O error is one {@code [ERROR] <step>: ...} line and exit code 1, never a stack trace.
 */
public final class BuildStep {
    private final Map<String, String> options;

    private BuildStep(Map<String, String> options) {
        this.options = options;
    }

    /** The work of a step. */
    @FunctionalInterface
    public interface Work {
        void run(BuildStep step) throws IOException;
    }

    /**
     * Parses the options and runs the step; exits the JVM with 1 when it fails.
     *
     * @param name the step's name in messages, e.g. {@code distribution}
     * @param args the command line
     * @param work what the step does
     */
    public static void run(String name, String[] args, Work work) {
        Map<String, String> options = new HashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (!a.startsWith("--") || eq < 0) {
                fail(name, "unknown argument " + a);
            }
            options.put(a.substring(2, eq), a.substring(eq + 1));
        }
        try {
            work.run(new BuildStep(options));
        } catch (BuildFailure e) {
            fail(name, e.getMessage());
        } catch (IOException | UncheckedIOException e) {
            fail(name, e.toString());
        }
    }

    private static void fail(String name, String message) {
        System.err.println("[ERROR] " + name + ": " + message);
        System.exit(1);
    }

    /** {@return an option's value, or {@code fallback} when it was not given} */
    public String option(String option, String fallback) {
        return options.getOrDefault(option, fallback);
    }

    /**
     * An option naming a file or directory.
     *
     * @param option the option's name
     * @return its value as an absolute, normalised path
     * @throws BuildFailure when the option is missing or blank
     */
    public Path path(String option) {
        String v = options.get(option);
        if (v == null || v.isBlank()) {
            throw new BuildFailure("missing option --" + option);
        }
        return Path.of(v).toAbsolutePath().normalize();
    }
}
