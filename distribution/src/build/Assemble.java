import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

/**
 * Assembles the exploded distribution: the launcher and configuration, the runtime image, every plugin directory
 * of the build, and the AOT cache made by a training run of the assembled tree.
 *
 * <p>Compiled with the other classes of {@code src/build} and run by the distribution module's pom with the JDK
 * that runs Maven: {@code java -cp CLASSES Assemble --image=DIR --plugins=DIR --files=DIR --api-jar=JAR
 * --output=DIR --aot=train|skip --aot-address=ADDRESS}. Exits 1 with a message naming the problem when the tree
 * cannot be assembled.
 */
public final class Assemble {
    private static final Pattern LISTENING = Pattern.compile("xspct-db listening on 127\\.0\\.0\\.1:(\\d+)");
    private static final String AOT_CACHE = "lib/xspct-db.aot";

    private final BuildStep step;
    private final Path output;

    private Assemble(BuildStep step) {
        this.step = step;
        this.output = step.path("output");
    }

    public static void main(String[] args) {
        BuildStep.run("distribution", args, step -> new Assemble(step).run());
    }

    private void run() throws IOException {
        Path image = step.path("image");
        if (!Files.isRegularFile(image.resolve("release")) || !Files.isExecutable(image.resolve("bin/java"))) {
            throw new BuildFailure("no runtime image at " + image + "; build the jlink module first");
        }
        Set<String> bootModules = imageModules(image);

        FileTrees.delete(output);
        Files.createDirectories(output);
        FileTrees.copy(step.path("files"), output);
        Path launcher = output.resolve("bin/xspct-db");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        // dev.sh rebuilds when a source is newer than the launcher: give it the build time, not the source's
        Files.setLastModifiedTime(launcher, FileTime.from(Instant.now()));
        FileTrees.copy(image, output.resolve("runtime"));
        Files.createDirectories(output.resolve("lib"));

        Map<String, Path> plugins = pluginDirectories(step.path("plugins"));
        Files.createDirectories(output.resolve("plugins"));
        for (Map.Entry<String, Path> p : plugins.entrySet()) {
            checkPlugin(p.getKey(), p.getValue(), bootModules);
            FileTrees.copy(p.getValue(), output.resolve("plugins").resolve(p.getKey()));
        }
        System.out.println("[INFO] distribution: " + output + " with plugins " + plugins.keySet());
        writeModuleIndexes(plugins.keySet());

        String aot = step.option("aot", "train");
        switch (aot) {
            case "train" -> train();
            case "skip" -> System.out.println("[INFO] distribution: no AOT cache (xspct.aot=skip)");
            default -> throw new BuildFailure("xspct.aot must be 'train' or 'skip', not '" + aot + "'");
        }
    }

    /** The modules of the runtime image (its boot layer: see jlink/README.md), from the image's release file. */
    private static Set<String> imageModules(Path image) throws IOException {
        Properties release = new Properties();
        try (var in = Files.newBufferedReader(image.resolve("release"))) {
            release.load(in);
        }
        String modules = release.getProperty("MODULES", "").replace("\"", "").trim();
        if (modules.isEmpty()) {
            throw new BuildFailure(image.resolve("release") + " lists no MODULES");
        }
        return new TreeSet<>(Arrays.asList(modules.split("\\s+")));
    }

    /** Every {@code <module>/target/plugin/<name>} below the plugins aggregator, by plugin name. */
    private static Map<String, Path> pluginDirectories(Path pluginsRoot) throws IOException {
        Map<String, Path> found = new TreeMap<>();
        try (Stream<Path> modules = Files.list(pluginsRoot)) {
            for (Path module : modules.filter(Files::isDirectory).sorted().toList()) {
                Path assembled = module.resolve("target/plugin");
                if (!Files.isDirectory(assembled)) {
                    continue;
                }
                try (Stream<Path> dirs = Files.list(assembled)) {
                    for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
                        Path previous = found.putIfAbsent(dir.getFileName().toString(), dir);
                        if (previous != null) {
                            throw new BuildFailure("two plugin modules assemble a plugin directory named '"
                                    + dir.getFileName() + "': " + previous + " and " + dir
                                    + "; give one of them another plugin.dir");
                        }
                    }
                }
            }
        }
        if (found.isEmpty()) {
            throw new BuildFailure("no plugin directories under " + pluginsRoot + "/*/target/plugin; build the plugins first");
        }
        return found;
    }

    /**
     * A plugin directory must resolve as one module layer on top of the boot layer: readable modules, none the
     * boot layer already has (two modules of one name in the parent and the child layer is an error at start),
     * and no JDK module required by a descriptor that the boot layer lacks. JDK modules that jdeps finds in the
     * jars' code but the boot layer lacks are reported as a warning (jdeps also sees optional code paths).
     */
    private void checkPlugin(String name, Path dir, Set<String> bootModules) {
        Set<ModuleReference> refs;
        try {
            refs = ModuleFinder.of(dir).findAll();
        } catch (FindException e) {
            throw new BuildFailure("plugin '" + name + "' (" + dir + "): " + e.getMessage());
        }
        if (refs.isEmpty()) {
            throw new BuildFailure("plugin '" + name + "' (" + dir + ") contains no jar");
        }
        List<String> clashes = new ArrayList<>();
        for (ModuleReference r : refs) {
            if (bootModules.contains(r.descriptor().name())) {
                clashes.add("module '" + r.descriptor().name() + "' (" + r.location().map(URI::getPath).orElse("?")
                        + ")");
            }
        }
        if (!clashes.isEmpty()) {
            throw new BuildFailure("plugin '" + name + "' bundles " + String.join(", ", clashes)
                    + ", which the core's runtime image already has. Give that dependency scope 'provided' "
                    + "(or exclude it) in the plugin's pom: the plugin uses the core's copy.");
        }
        // a JDK module an explicit module requires but the boot layer lacks fails every start: stop here
        List<String> unresolvable = new ArrayList<>();
        for (ModuleReference r : refs) {
            for (ModuleDescriptor.Requires req : r.descriptor().requires()) {
                if (!req.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC)
                        && !bootModules.contains(req.name()) && ModuleFinder.ofSystem().find(req.name()).isPresent()) {
                    unresolvable.add(r.descriptor().name() + " requires " + req.name());
                }
            }
        }
        if (!unresolvable.isEmpty()) {
            throw new BuildFailure("plugin '" + name + "' needs JDK modules the runtime image lacks: " + unresolvable
                    + ". Add them as 'requires' of xspct.core (see jlink/README.md).");
        }
        Set<String> missing = new TreeSet<>();
        for (ModuleReference r : refs) {
            Path jar = Path.of(r.location().orElseThrow());
            for (String m : jdkModulesUsedBy(jar, dir, r.descriptor().isAutomatic())) {
                if (!bootModules.contains(m)) {
                    missing.add(m + " (" + jar.getFileName() + ")");
                }
            }
        }
        if (!missing.isEmpty()) {
            System.out.println("[WARNING] distribution: plugin '" + name + "' uses JDK modules the runtime image "
                    + "lacks: " + missing + ". If the plugin needs them at run time, add them as 'requires' of "
                    + "xspct.core (see jlink/README.md).");
        }
    }

    /**
     * The JDK modules a jar uses, by jdeps. An explicit module is analysed on the module path with its plugin's
     * other jars. An automatic module (a plain library jar) is analysed as a class-path jar: on the module path the
     * modules that require it would be resolved without it and fail, and jdeps reports less for automatic modules
     * (no jdk.unsupported for sun.misc.Unsafe, for one).
     */
    private Set<String> jdkModulesUsedBy(Path jar, Path pluginDir, boolean automatic) {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElse(null);
        if (jdeps == null) {
            System.out.println("[WARNING] distribution: no jdeps in this JDK; JDK modules of plugins not checked");
            return Set.of();
        }
        List<String> others = new ArrayList<>();
        others.add(step.path("api-jar").toString());
        try (Stream<Path> s = Files.list(pluginDir)) {
            s.filter(p -> p.toString().endsWith(".jar") && !p.equals(jar)).sorted()
                    .forEach(p -> others.add(p.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String pathOption = automatic ? "--class-path" : "--module-path";
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = jdeps.run(new PrintWriter(out), new PrintWriter(err), "--multi-release",
                String.valueOf(Runtime.version().feature()), "--ignore-missing-deps", "--print-module-deps",
                pathOption, String.join(java.io.File.pathSeparator, others), jar.toString());
        if (rc != 0) {
            // jdeps writes its errors to standard output: show both
            throw new BuildFailure("jdeps could not analyse " + jar + ": " + (out + " " + err).trim());
        }
        Set<String> jdk = new LinkedHashSet<>();
        String[] lines = out.toString().trim().split("\\R");
        for (String m : lines[lines.length - 1].split(",")) {
            m = m.trim();
            if ((m.startsWith("java.") || m.startsWith("jdk.")) && ModuleFinder.ofSystem().find(m).isPresent()) {
                jdk.add(m);
            }
        }
        return jdk;
    }

    /**
     * Writes the module index of every shipped plugin (the core's {@code ModuleIndex}, run on the assembled runtime),
     * so that a start reads a plugin's jars only when the plugin is used, then checks each index against the jars.
     */
    private void writeModuleIndexes(Set<String> plugins) throws IOException {
        List<String> dirs = plugins.stream().map(name -> output.resolve("plugins").resolve(name).toString()).toList();
        runModuleIndex(dirs);
        runModuleIndex(Stream.concat(Stream.of("--check"), dirs.stream()).toList());
        System.out.println("[INFO] distribution: module index written and checked for plugins " + plugins);
    }

    private void runModuleIndex(List<String> args) throws IOException {
        List<String> command = new ArrayList<>(List.of(output.resolve("runtime/bin/java").toString(), "-m",
                "xspct.core/xspct.core.plugin.ModuleIndex"));
        command.addAll(args);
        BuildStep.exec(command, output);
    }

    /**
     * Writes the AOT cache: starts the assembled launcher on the example configuration (port 0) with
     * {@code -XX:AOTCacheOutput}, sends the requests a server typically answers first, stops it with SIGTERM and
     * checks that the JVM wrote the cache on exit. Doubles as a smoke test of the assembled tree.
     */
    private void train() throws IOException {
        Path cache = output.resolve(AOT_CACHE);
        if (cache.toString().matches(".*\\s.*")) {
            throw new BuildFailure("cannot train the AOT cache in a path with blanks (" + cache
                    + "); build elsewhere or pass -Dxspct.aot=skip");
        }
        String config = Files.readString(output.resolve("conf/xspct-db.yml"));
        Matcher port = Pattern.compile("(?m)^xspct_db_listen_port:.*$").matcher(config);
        if (!port.find()) {
            throw new BuildFailure("conf/xspct-db.yml has no xspct_db_listen_port line to rewrite for training");
        }
        String key = firstGroup(config, "(?m)^xspct_db_api_key:\\s*(\\S+)\\s*$", "changeme");
        String header = firstGroup(config, "(?m)^xspct_db_api_header:\\s*(\\S+)\\s*$", "X-Api-Key");
        Path trainingConfig = output.resolveSibling("aot-training.yml");
        // metrics on, so that the training also proves the image renders the Prometheus text (a module lost in
        // the link would silently empty it) and the AOT cache covers the metrics code
        Files.writeString(trainingConfig, port.replaceFirst("xspct_db_listen_port: 0").replaceAll(
                "(?m)^xspct_db_metrics_enabled:.*$", "") + "\nxspct_db_metrics_enabled: true\n");
        Path log = output.resolveSibling("aot-training.log");

        ProcessBuilder pb = new ProcessBuilder(output.resolve("bin/xspct-db").toString(), trainingConfig.toString());
        pb.environment().remove("JAVA_HOME");
        pb.environment().put("XSPCT_JAVA_OPTS", "-XX:AOTCacheOutput=" + cache);
        pb.redirectErrorStream(true);
        long started = System.nanoTime();
        Process server = pb.start();
        StringBuffer transcript = new StringBuffer();
        CompletableFuture<Integer> listening = new CompletableFuture<>();
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(server.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    transcript.append(line).append('\n');
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        listening.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException e) {
                // the process went away; the exit code tells what happened
            }
            listening.completeExceptionally(new IllegalStateException("server exited before listening"));
        });
        try {
            int p = listening.get(60, TimeUnit.SECONDS);
            exercise(p, header, key, step.option("aot-address", "nobody@example.org"));
        } catch (Exception e) {
            server.destroyForcibly();
            Files.writeString(log, transcript);
            throw new BuildFailure("AOT training run failed (" + e.getMessage() + "); log: " + log
                    + "\n" + transcript);
        }
        // SIGTERM (the JVM writes the cache while exiting); unlike Process.destroy() this keeps our end of the
        // output pipe open, so the transcript gets the last lines too
        server.toHandle().destroy();
        boolean exited;
        try {
            exited = server.waitFor(180, TimeUnit.SECONDS);
            reader.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exited = false;
        }
        Files.writeString(log, transcript);
        if (!exited) {
            server.destroyForcibly();
            throw new BuildFailure("AOT training server did not exit within 180 s after SIGTERM; log: " + log);
        }
        if (server.exitValue() != 0 || !Files.isRegularFile(cache) || Files.size(cache) == 0) {
            throw new BuildFailure("AOT training run exited with " + server.exitValue() + " and wrote no cache "
                    + cache + "; log: " + log + "\n" + transcript);
        }
        System.out.printf("[INFO] distribution: AOT cache %s (%d MB) trained in %.1f s%n", cache,
                Files.size(cache) >> 20, (System.nanoTime() - started) / 1e9);
    }

    private static String firstGroup(String text, String regex, String fallback) {
        Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? m.group(1).replaceAll("^[\"']|[\"']$", "") : fallback;
    }

    /** The requests of the training run; each answer is checked so that a broken tree fails the build here. */
    private static void exercise(int port, String header, String key, String address) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        String base = "http://127.0.0.1:" + port;
        expect(http, HttpRequest.newBuilder(URI.create(base + "/metrics")).build(), 200,
                "\nxspct_db_requests_total 0.0\n");
        expect(http, HttpRequest.newBuilder(URI.create(base + "/ping")).build(), 200, "Pong");
        expect(http, HttpRequest.newBuilder(URI.create(base + "/")).build(), 200, "Hello");
        expect(http, HttpRequest.newBuilder(URI.create(base + "/v1/query/x@example.org")).build(), 401,
                "401 Unauthorized");
        for (int i = 0; i < 3; i++) {
            expect(http, HttpRequest.newBuilder(URI.create(base + "/v1/query/" + address)).header(header, key)
                    .build(), 200, "\"users\"");
            expect(http, HttpRequest.newBuilder(URI.create(base + "/v1/query-json")).header(header, key)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"users\": [\"" + address + "\", \"nobody@invalid\"]}"))
                    .build(), 200, "\"users\"");
        }
    }

    private static void expect(HttpClient http, HttpRequest request, int status, String bodyPart) throws Exception {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != status || !r.body().contains(bodyPart)) {
            throw new IllegalStateException(request.method() + " " + request.uri() + " answered " + r.statusCode()
                    + " " + r.body() + ", expected " + status + " with '" + bodyPart + "'");
        }
    }
}
