package xspct.core.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plugin directory's module index, against the JDK's module finder on the same jars: an explicit module packed
 * by plain zip code (no ModulePackages attribute: the packages come from the index), one packed by the {@code jar}
 * tool (with the attribute), and an automatic module with a version, a service and a main class.
 */
class ModuleIndexTest {
    @TempDir
    Path tmp;

    private Path plugin;

    @BeforeEach
    void buildPlugin() throws IOException {
        plugin = Files.createDirectories(tmp.resolve("plugin"));
        Path src = tmp.resolve("src");
        write(src.resolve("alpha/module-info.java"), """
                module demo.alpha {
                    requires demo.beta;
                    exports demo.alpha.api;
                    provides java.lang.Runnable with demo.alpha.internal.AlphaTask;
                }""");
        write(src.resolve("alpha/demo/alpha/api/Alpha.java"),
                "package demo.alpha.api; public class Alpha { public static String name() { return \"alpha+\" + demo.beta.Beta.name(); } }");
        write(src.resolve("alpha/demo/alpha/internal/AlphaTask.java"),
                "package demo.alpha.internal; public class AlphaTask implements Runnable { public void run() { } }");
        write(src.resolve("beta/module-info.java"), "module demo.beta { requires gamma.lib; exports demo.beta; }");
        write(src.resolve("beta/demo/beta/Beta.java"),
                "package demo.beta; public class Beta { public static String name() { return demo.gamma.Gamma.NAME; } }");
        write(src.resolve("gamma/demo/gamma/Gamma.java"),
                "package demo.gamma; public class Gamma { public static final String NAME = \"gamma\"; }");
        write(src.resolve("gamma/demo/gamma/impl/GammaTask.java"),
                "package demo.gamma.impl; public class GammaTask implements Runnable { public void run() { } "
                        + "public static void main(String[] a) { } }");

        Path classes = tmp.resolve("classes");
        compile(classes.resolve("gamma"), List.of(), src.resolve("gamma"));
        jar(plugin.resolve("gamma-lib-1.2.3.jar"), classes.resolve("gamma"), Map.of(
                "META-INF/services/java.lang.Runnable", "demo.gamma.impl.GammaTask\n"), "demo.gamma.impl.GammaTask");
        compile(classes.resolve("beta"), List.of("--module-path", plugin.resolve("gamma-lib-1.2.3.jar").toString()),
                src.resolve("beta"));
        jar(plugin.resolve("beta.jar"), classes.resolve("beta"), Map.of(), null);
        compile(classes.resolve("alpha"), List.of("--module-path", plugin.toString()), src.resolve("alpha"));
        int rc = java.util.spi.ToolProvider.findFirst("jar").orElseThrow().run(System.out, System.err, "--create",
                "--file", plugin.resolve("alpha.jar").toString(), "--module-version", "4.5", "-C",
                classes.resolve("alpha").toString(), ".");
        assertEquals(0, rc, "jar tool");
    }

    @Test
    void theIndexDescribesTheJarsAsTheJdkDoes() throws IOException {
        ModuleIndex.write(plugin);

        ModuleIndex.Lookup lookup = ModuleIndex.finder(plugin);
        assertEquals("", lookup.problem());
        assertTrue(lookup.finder().isPresent(), "the index is used");
        Map<String, ModuleDescriptor> fromIndex = descriptors(lookup.finder().orElseThrow());
        Map<String, ModuleDescriptor> fromJars = descriptors(ModuleFinder.of(plugin));
        assertEquals(Set.of("demo.alpha", "demo.beta", "gamma.lib"), fromJars.keySet());
        assertEquals(fromJars, fromIndex);
        // the cases the index must carry: packages without the ModulePackages attribute, an automatic module's
        // version, services and main class
        assertEquals(Set.of("demo.alpha.api", "demo.alpha.internal"), fromIndex.get("demo.alpha").packages());
        assertEquals(Set.of("demo.beta"), fromIndex.get("demo.beta").packages());
        ModuleDescriptor gamma = fromIndex.get("gamma.lib");
        assertTrue(gamma.isAutomatic());
        assertEquals("1.2.3", gamma.rawVersion().orElseThrow());
        assertEquals("demo.gamma.impl.GammaTask", gamma.mainClass().orElseThrow());
        assertEquals(1, gamma.provides().size());
        for (ModuleReference r : lookup.finder().orElseThrow().findAll()) {
            assertEquals(ModuleFinder.of(plugin).find(r.descriptor().name()).orElseThrow().location(), r.location());
        }
    }

    @Test
    void aLayerFromTheIndexLoadsClassesAndServicesFromEveryJar() throws Exception {
        ModuleIndex.write(plugin);
        ModuleFinder finder = ModuleIndex.finder(plugin).finder().orElseThrow();
        Set<String> roots = finder.findAll().stream().map(r -> r.descriptor().name()).collect(Collectors.toSet());
        Configuration cf = ModuleLayer.boot().configuration().resolveAndBind(finder, ModuleFinder.of(), roots);
        ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(cf, ClassLoader.getSystemClassLoader());

        Class<?> alpha = layer.findLoader("demo.alpha").loadClass("demo.alpha.api.Alpha");
        assertEquals("alpha+gamma", alpha.getMethod("name").invoke(null));
        Set<String> tasks = ServiceLoader.load(layer, Runnable.class).stream()
                .filter(p -> p.type().getModule().getLayer() == layer)
                .map(p -> p.type().getName()).collect(Collectors.toSet());
        assertEquals(Set.of("demo.alpha.internal.AlphaTask", "demo.gamma.impl.GammaTask"), tasks);
        assertTrue(alpha.getModule().getResourceAsStream("demo/alpha/api/Alpha.class") != null,
                "resources are read from the jar");
    }

    @Test
    void aDirectoryWithoutIndexHasNoFinderAndNoProblem() {
        assertIndexUnused("");
    }

    @Test
    void aReplacedJarMakesTheIndexUnused() throws IOException {
        ModuleIndex.write(plugin);
        Path beta = plugin.resolve("beta.jar");
        byte[] bytes = Files.readAllBytes(beta);
        // same size, another zip end record: what a rebuilt jar of the same name looks like to the check
        bytes[bytes.length - 6] ^= 1;
        Files.write(beta, bytes);

        assertIndexUnused("beta.jar is not the jar its module index describes");
    }

    @Test
    void anAddedOrRemovedJarMakesTheIndexUnused() throws IOException {
        ModuleIndex.write(plugin);
        Files.copy(plugin.resolve("beta.jar"), tmp.resolve("beta.jar"));
        Files.delete(plugin.resolve("beta.jar"));
        assertIndexUnused("a jar of its module index is missing");

        Files.copy(tmp.resolve("beta.jar"), plugin.resolve("beta.jar"));
        Files.writeString(plugin.resolve("README.txt"), "files that are not modules are skipped, as the JDK skips them");
        assertEquals("", ModuleIndex.finder(plugin).problem());
        assertTrue(ModuleIndex.finder(plugin).finder().isPresent());
        Files.copy(tmp.resolve("beta.jar"), plugin.resolve("extra.jar"));
        assertIndexUnused("extra.jar is not in its module index");
    }

    @Test
    void aDamagedIndexIsNamedAndUnused() throws IOException {
        ModuleIndex.write(plugin);
        Path index = plugin.resolve(ModuleIndex.FILE_NAME);
        List<String> lines = Files.readAllLines(index);
        Files.write(index, lines.subList(0, lines.size() - 1)); // the last packages line lost

        ModuleIndex.Lookup lookup = ModuleIndex.finder(plugin);
        assertFalse(lookup.finder().isPresent());
        assertTrue(lookup.problem().startsWith(index + " is damaged: "), lookup.problem());
    }

    /** The plugin directory is read without its index, for {@code problem} (empty: there is no index). */
    private void assertIndexUnused(String problem) {
        ModuleIndex.Lookup lookup = ModuleIndex.finder(plugin);
        assertFalse(lookup.finder().isPresent(), "the index is not used");
        assertEquals(problem, lookup.problem());
    }

    private static Map<String, ModuleDescriptor> descriptors(ModuleFinder finder) {
        Map<String, ModuleDescriptor> out = new TreeMap<>();
        finder.findAll().forEach(r -> out.put(r.descriptor().name(), r.descriptor()));
        return out;
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    private static void compile(Path out, List<String> options, Path srcDir) throws IOException {
        List<String> args = new java.util.ArrayList<>(List.of("-d", out.toString()));
        args.addAll(options);
        try (Stream<Path> s = Files.walk(srcDir)) {
            s.filter(p -> p.toString().endsWith(".java")).forEach(p -> args.add(p.toString()));
        }
        int rc = java.util.spi.ToolProvider.findFirst("javac").orElseThrow().run(System.out, System.err,
                args.toArray(String[]::new));
        assertEquals(0, rc, "javac " + args);
    }

    /** A jar written entry by entry, as build tools other than the JDK's jar tool write them. */
    private static void jar(Path jar, Path classes, Map<String, String> extra, String mainClass) throws IOException {
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (mainClass != null) {
            mf.getMainAttributes().put(Attributes.Name.MAIN_CLASS, mainClass);
            mf.getMainAttributes().putValue("Automatic-Module-Name", "gamma.lib");
        }
        try (OutputStream os = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(os, mf);
             Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                out.write(Files.readAllBytes(f));
                out.closeEntry();
            }
            for (Map.Entry<String, String> e : extra.entrySet()) {
                out.putNextEntry(new JarEntry(e.getKey()));
                out.write(e.getValue().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
    }
}
