package xspct.distribution;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The one place the distribution tests start a process: the released server through its launcher (with the launch
 * environment of {@link Distribution#environment(Map)}), or a system tool in the tests' own environment. Standard
 * output and error go to files in the work directory, so nothing blocks on a full pipe and the output stays
 * readable after the process has ended. {@link RunningServer} waits on a started server; {@link #toEnd} runs a
 * command to completion.
 */
final class Launch {

    /**
     * A started process and the files its output goes to.
     *
     * @param process the process
     * @param stdout  its standard output
     * @param stderr  its standard error
     */
    record Started(Process process, Path stdout, Path stderr) {
    }

    private Launch() {
    }

    /**
     * Starts a command.
     *
     * @param command    the command, e.g. {@code [bin/xspct-db, conf/xspct-db.yml]}
     * @param workingDir its working directory
     * @param server     true for a command that runs the released server: it gets the launch environment
     * @param extraEnv   variables added to the environment, e.g. {@code XSPCT_JAVA_OPTS}
     * @return the started process
     */
    static Started start(List<String> command, Path workingDir, boolean server, Map<String, String> extraEnv) {
        try {
            Path logs = Files.createTempDirectory(Distribution.workDir(), server ? "server-" : "run-");
            Path out = logs.resolve("stdout.log");
            Path err = logs.resolve("stderr.log");
            ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).directory(workingDir.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            if (server) {
                Distribution.environment(pb.environment());
            }
            pb.environment().putAll(extraEnv);
            return new Started(pb.start(), out, err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs a command to completion.
     *
     * @param command        the command
     * @param workingDir     its working directory
     * @param server         true for a command that runs the released server (see {@link #start})
     * @param timeoutSeconds deadline; the process is killed and an exception thrown when it passes
     * @return the exit code and output
     */
    static Distribution.Exited toEnd(List<String> command, Path workingDir, boolean server, long timeoutSeconds) {
        Started s = start(command, workingDir, server, Map.of());
        try {
            if (!s.process().waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                s.process().destroyForcibly();
                throw new IllegalStateException(command + " did not finish within " + timeoutSeconds + " s");
            }
            return new Distribution.Exited(s.process().exitValue(), Files.readString(s.stdout()),
                    Files.readString(s.stderr()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
