import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

/**
 * Gives every automatic module among the jars of the runtime image a module descriptor, so that jlink accepts it:
 * {@code java ModuleDescriptors.java MODULES_DIR DESCRIPTORS_DIR WORK_DIR}. The descriptor of module NAME is
 * {@code DESCRIPTORS_DIR/NAME/module-info.java}; it is compiled against the other jars with the jar patched into
 * the module ({@code javac --patch-module}) and added to the jar in place ({@code jar --update}). An automatic jar
 * without a descriptor fails the build with its name, so a dependency upgrade cannot slip an unlinkable jar in.
 */
public final class ModuleDescriptors {
    private ModuleDescriptors() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            fail("usage: java ModuleDescriptors.java MODULES_DIR DESCRIPTORS_DIR WORK_DIR");
        }
        Path modules = Path.of(args[0]);
        Path sources = Path.of(args[1]);
        Path work = Path.of(args[2]);
        List<Path> jars;
        try (Stream<Path> s = Files.list(modules)) {
            jars = s.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        }
        TreeMap<String, Path> automatic = new TreeMap<>();
        for (Path jar : jars) {
            for (ModuleReference r : ModuleFinder.of(jar).findAll()) {
                ModuleDescriptor d = r.descriptor();
                if (d.isAutomatic()) {
                    automatic.put(d.name(), jar);
                }
            }
        }
        List<String> missing = new ArrayList<>();
        for (String name : automatic.keySet()) {
            if (!Files.isRegularFile(sources.resolve(name).resolve("module-info.java"))) {
                missing.add(name + " (" + automatic.get(name).getFileName() + ")");
            }
        }
        if (!missing.isEmpty()) {
            fail("automatic modules without a descriptor in " + sources + ": " + missing + ". Generate one with "
                    + "'jdeps --generate-module-info' and check it by hand (see jlink/README.md).");
        }
        ToolProvider javac = ToolProvider.findFirst("javac").orElseThrow();
        ToolProvider jarTool = ToolProvider.findFirst("jar").orElseThrow();
        for (var e : automatic.entrySet()) {
            String name = e.getKey();
            Path jar = e.getValue();
            Path out = Files.createDirectories(work.resolve(name));
            List<String> others = jars.stream().filter(j -> !j.equals(jar)).map(Path::toString).toList();
            run(javac, "javac", "--release", "21", "-nowarn", "-d", out.toString(),
                    "--module-path", String.join(java.io.File.pathSeparator, others),
                    "--patch-module", name + "=" + jar,
                    sources.resolve(name).resolve("module-info.java").toString());
            run(jarTool, "jar", "--update", "--file", jar.toString(), "-C", out.toString(), "module-info.class");
        }
        System.out.println("[INFO] module descriptors added to " + automatic.size() + " jars: " + automatic.keySet());
    }

    private static void run(ToolProvider tool, String name, String... args) {
        StringWriter out = new StringWriter();
        int rc = tool.run(new PrintWriter(out), new PrintWriter(out), args);
        if (rc != 0) {
            fail(name + " " + String.join(" ", args) + " failed:\n" + out);
        }
    }

    private static void fail(String message) {
        System.err.println("[ERROR] module descriptors: " + message);
        System.exit(1);
    }
}
