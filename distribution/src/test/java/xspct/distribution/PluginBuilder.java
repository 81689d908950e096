package xspct.distribution;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

/**
 * Compiles and packages a module jar with the {@code javac} and {@code jar} tools of the JDK running the tests,
 * the way a plugin author without Maven would ({@code examples/custom-backend/build.sh} does the same).
 */
public final class PluginBuilder {
    private PluginBuilder() {
    }

    /** {@return the xspct-db API jar plugins compile against} */
    public static Path apiJar() {
        String v = System.getProperty("xspct.api.jar");
        if (v == null || !Files.isRegularFile(Path.of(v))) {
            throw new IllegalStateException("system property xspct.api.jar does not name the API jar: " + v);
        }
        return Path.of(v);
    }

    /**
     * Compiles a module from a source tree and packages it.
     *
     * @param sourceDir     the module's source root (holding {@code module-info.java})
     * @param modulePath    jars the module compiles against
     * @param moduleVersion the version recorded in the module descriptor
     * @param jar           the jar to write
     * @return {@code jar}
     */
    public static Path build(Path sourceDir, List<Path> modulePath, String moduleVersion, Path jar) {
        List<String> sources;
        try (Stream<Path> s = Files.walk(sourceDir)) {
            sources = s.filter(p -> p.toString().endsWith(".java")).map(Path::toString).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Path classes = Files.createTempDirectory(Distribution.workDir(), "classes-");
            List<String> javac = new ArrayList<>(List.of("--release", "21", "-d", classes.toString()));
            if (!modulePath.isEmpty()) {
                javac.addAll(List.of("--module-path",
                        String.join(File.pathSeparator, modulePath.stream().map(Path::toString).toList())));
            }
            javac.addAll(sources);
            tool("javac", javac);
            Files.createDirectories(jar.getParent());
            tool("jar", List.of("--create", "--file", jar.toString(), "--module-version", moduleVersion,
                    "-C", classes.toString(), "."));
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes source files into a new directory.
     *
     * @param name    a word for the directory name
     * @param sources relative path (e.g. {@code demo/lib/DemoLib.java}) to content
     * @return the source root
     */
    public static Path writeSources(String name, Map<String, String> sources) {
        try {
            Path root = Files.createTempDirectory(Distribution.workDir(), name + "-src-");
            for (Map.Entry<String, String> e : sources.entrySet()) {
                Path file = root.resolve(e.getKey());
                Files.createDirectories(file.getParent());
                Files.writeString(file, e.getValue());
            }
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void tool(String name, List<String> args) {
        ToolProvider tool = ToolProvider.findFirst(name)
                .orElseThrow(() -> new IllegalStateException("the JDK running the tests has no " + name));
        StringWriter out = new StringWriter();
        int rc = tool.run(new PrintWriter(out, true), new PrintWriter(out, true), args.toArray(String[]::new));
        if (rc != 0) {
            throw new IllegalStateException(name + " " + args + " failed (" + rc + "):\n" + out);
        }
    }
}
