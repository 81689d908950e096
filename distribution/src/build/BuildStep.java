import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

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

    /**
     * Runs a command to its end (at most 600 s) and returns what it printed (standard output and error together).
     *
     * @param command the command and its arguments
     * @param dir     its working directory
     * @return its output
     * @throws BuildFailure when it fails (its output in the message), does not finish in time or is interrupted
     */
    public static String exec(List<String> command, Path dir) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        Process p = pb.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        try {
            if (!p.waitFor(600, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new BuildFailure(command.getFirst() + " did not finish within 600 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildFailure("interrupted");
        }
        String text = out.toString(StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new BuildFailure(String.join(" ", command) + " failed with exit code " + p.exitValue() + ":\n"
                    + text);
        }
        return text;
    }
}
