package xspct.core.plugin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The module index of a plugin directory: the module descriptors of its jars, written when the release is built
 * ({@value #FILE_NAME} in the directory), so that a start need not read every jar to learn its packages. The JDK's
 * module finder lists every entry of every jar of a plugin (for the MySQL, LDAP, Redis and SQLite clients, a good
 * part of a start on a small machine); with the index, a jar is opened, by the JDK's own jar reader, only when the
 * plugin's code first needs a class from it, so the jars of plugins the configuration does not use are never read.
 *
 * <p>The index records each jar's name, size and last bytes (its zip directory's end record). A directory whose jars
 * are not exactly those, e.g. after an administrator replaced one, is read with the JDK's module finder as if it had
 * no index. A directory without an index (a third-party plugin) is read that way too.
 *
 * <p>Run as a program, it writes or checks indexes: {@code java -m xspct.core/xspct.core.plugin.ModuleIndex
 * [--check] PLUGIN_DIR...}; {@code --check} exits 1 unless every directory's index matches its jars and describes
 * them as the JDK's module finder does.
 */
public final class ModuleIndex {
    /** The index's file name in a plugin directory; the JDK's module finder ignores files that are not jars. */
    public static final String FILE_NAME = "module-index";

    private static final String HEADER = "xspct-module-index 1";
    private static final int TAIL_BYTES = 22; // a zip's end-of-central-directory record without comment
    private static final Base64.Encoder B64 = Base64.getEncoder();

    private ModuleIndex() {
    }

    /**
     * Writes {@code dir}'s index from what the JDK's module finder reads from its jars.
     *
     * @param dir a plugin directory holding jars only
     * @throws IOException when the directory cannot be read or the index not written
     * @throws IllegalArgumentException when the directory holds something the index cannot describe (an exploded
     *                                  module, a file name with a tab or line break)
     * @throws FindException when the JDK cannot read the directory's modules
     */
    public static void write(Path dir) throws IOException {
        List<ModuleReference> refs = ModuleFinder.of(dir).findAll().stream()
                .sorted(Comparator.comparing(r -> r.location().orElseThrow())).toList();
        StringBuilder out = new StringBuilder()
                .append("# The modules of this plugin's jars, read at start instead of the jars (see docs/plugins.md).\n")
                .append("# Ignored when the jars are not exactly those listed. Rewrite it after changing a jar with\n")
                .append("#   runtime/bin/java -m xspct.core/xspct.core.plugin.ModuleIndex plugins/NAME\n")
                .append(HEADER).append('\n');
        for (ModuleReference ref : refs) {
            Path jar = Path.of(ref.location().orElseThrow());
            String name = jar.getFileName().toString();
            if (!Files.isRegularFile(jar) || !dir.toAbsolutePath().equals(jar.getParent()) || !name.endsWith(".jar")
                    || name.matches("(?s).*[\\t\\n\\r].*")) {
                throw new IllegalArgumentException(jar + ": only jars with plain file names can be indexed");
            }
            ModuleDescriptor d = ref.descriptor();
            out.append("jar\t").append(name).append('\t').append(Files.size(jar)).append('\t').append(tail(jar))
                    .append('\n');
            if (d.isAutomatic()) {
                out.append("automatic\t").append(d.name()).append('\t').append(d.rawVersion().orElse("")).append('\n');
                for (ModuleDescriptor.Provides p : d.provides()) {
                    out.append("provides\t").append(p.service()).append('\t').append(String.join("\t", p.providers()))
                            .append('\n');
                }
                d.mainClass().ifPresent(c -> out.append("main-class\t").append(c).append('\n'));
            } else {
                try (ModuleReader reader = ref.open()) {
                    byte[] moduleInfo = reader.read("module-info.class").map(ModuleIndex::bytes).orElseThrow(
                            () -> new IllegalArgumentException(jar + ": no module-info.class"));
                    out.append("module\t").append(B64.encodeToString(moduleInfo)).append('\n');
                }
            }
            out.append("packages\t").append(String.join("\t", new TreeSet<>(d.packages()))).append('\n');
        }
        Path tmp = dir.resolve(FILE_NAME + ".tmp");
        Files.writeString(tmp, out, StandardCharsets.UTF_8);
        Files.move(tmp, dir.resolve(FILE_NAME), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * A module finder for {@code dir} from its index.
     *
     * @param dir a plugin directory
     * @return the finder, or why there is none: no index, or one that does not match the jars
     */
    public static Lookup finder(Path dir) {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return new Lookup(Optional.empty(), "");
        }
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            Map<String, IndexedReference> refs = parse(dir, lines);
            String mismatch = mismatch(dir, refs);
            if (!mismatch.isEmpty()) {
                return new Lookup(Optional.empty(), mismatch);
            }
            return new Lookup(Optional.of(new IndexedFinder(Map.copyOf(refs))), "");
        } catch (IOException | UncheckedIOException e) {
            return new Lookup(Optional.empty(), "cannot read " + file + ": " + e.getMessage());
        } catch (RuntimeException e) {
            // whatever a damaged index makes the parser or the JDK's descriptor checks throw: the jars are read
            return new Lookup(Optional.empty(), file + " is damaged: " + e.getMessage());
        }
    }

    /**
     * A finder from an index, or why the index is not used.
     *
     * @param finder the finder, when the index exists and matches the jars
     * @param problem why an existing index is not used; empty when there is no index or it is used
     */
    public record Lookup(Optional<ModuleFinder> finder, String problem) {
    }

    /** Reads the index's lines into module references by module name. */
    private static Map<String, IndexedReference> parse(Path dir, List<String> lines) {
        Map<String, IndexedReference> refs = new LinkedHashMap<>();
        int i = 0;
        while (i < lines.size() && lines.get(i).startsWith("#")) {
            i++;
        }
        if (i >= lines.size() || !lines.get(i).equals(HEADER)) {
            throw new IllegalArgumentException("it does not start with '" + HEADER + "'");
        }
        i++;
        while (i < lines.size()) {
            String[] jar = fields(lines.get(i++), "jar", 4);
            IndexedJar entry = new IndexedJar(dir.toAbsolutePath().resolve(jar[1]), Long.parseLong(jar[2]), jar[3]);
            String[] kind = fields(i < lines.size() ? lines.get(i++) : "", null, 2);
            ModuleDescriptor descriptor;
            if (kind[0].equals("module")) {
                Set<String> packages = packages(fields(i < lines.size() ? lines.get(i++) : "", "packages", 1));
                // the JDK asks for the packages only when module-info.class lacks its ModulePackages attribute
                descriptor = ModuleDescriptor.read(ByteBuffer.wrap(Base64.getDecoder().decode(kind[1])),
                        () -> packages);
            } else if (kind[0].equals("automatic")) {
                ModuleDescriptor.Builder b = ModuleDescriptor.newAutomaticModule(kind[1]);
                if (kind.length > 2 && !kind[2].isEmpty()) {
                    b.version(kind[2]);
                }
                String line;
                while (!(line = i < lines.size() ? lines.get(i++) : "").startsWith("packages")) {
                    String[] f = line.split("\t");
                    switch (f[0]) {
                        case "provides" -> b.provides(f[1], List.of(f).subList(2, f.length));
                        case "main-class" -> b.mainClass(f[1]);
                        default -> throw new IllegalArgumentException("unexpected line '" + line + "'");
                    }
                }
                b.packages(packages(line.split("\t", -1)));
                descriptor = b.build();
            } else {
                throw new IllegalArgumentException("unexpected line '" + String.join("\t", kind) + "'");
            }
            if (refs.put(descriptor.name(), new IndexedReference(descriptor, entry)) != null) {
                throw new IllegalArgumentException("module " + descriptor.name() + " is listed twice");
            }
        }
        return refs;
    }

    /** The packages of a {@code packages} line's fields (an empty line: none). */
    private static Set<String> packages(String[] fields) {
        Set<String> out = new TreeSet<>();
        for (int k = 1; k < fields.length; k++) {
            if (!fields[k].isEmpty()) {
                out.add(fields[k]);
            }
        }
        return out;
    }

    private static String[] fields(String line, String keyword, int min) {
        String[] f = line.split("\t", -1);
        if (f.length < min || (keyword != null && !f[0].equals(keyword))) {
            throw new IllegalArgumentException("unexpected line '" + line + "'");
        }
        return f;
    }

    /** Empty when the directory's jars are exactly the indexed ones, else what differs. */
    private static String mismatch(Path dir, Map<String, IndexedReference> refs) throws IOException {
        Map<Path, IndexedJar> indexed = new LinkedHashMap<>();
        for (IndexedReference r : refs.values()) {
            indexed.put(r.jar.path().getFileName(), r.jar);
        }
        List<String> present = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                boolean jarLike = name.endsWith(".jar") || name.endsWith(".jmod");
                if (name.equals(FILE_NAME) || name.startsWith(".") || (Files.isRegularFile(p) && !jarLike)) {
                    continue; // what the JDK's finder skips too: hidden entries, files that are not modules
                }
                IndexedJar jar = indexed.get(p.getFileName());
                if (jar == null) {
                    return name + " is not in its module index";
                }
                if (!Files.isRegularFile(p) || Files.size(p) != jar.size() || !tail(p).equals(jar.tail())) {
                    return name + " is not the jar its module index describes";
                }
                present.add(name);
            }
        }
        if (present.size() != indexed.size()) {
            return "a jar of its module index is missing";
        }
        return "";
    }

    private static String tail(Path jar) throws IOException {
        try (FileChannel ch = FileChannel.open(jar, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(TAIL_BYTES, size));
            ch.read(buf, size - buf.capacity());
            return HexFormat.of().formatHex(buf.array(), 0, buf.position());
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private record IndexedJar(Path path, long size, String tail) {
    }

    /** A module whose descriptor comes from the index; its jar is read by the JDK's reader when first needed. */
    private static final class IndexedReference extends ModuleReference {
        private final IndexedJar jar;

        IndexedReference(ModuleDescriptor descriptor, IndexedJar jar) {
            super(descriptor, jar.path().toUri());
            this.jar = jar;
        }

        @Override
        public ModuleReader open() throws IOException {
            try {
                ModuleReference ref = ModuleFinder.of(jar.path()).find(descriptor().name()).orElseThrow(
                        () -> new IOException(jar.path() + " no longer holds module " + descriptor().name()));
                return ref.open();
            } catch (FindException e) {
                throw new IOException(jar.path() + ": " + e.getMessage(), e);
            }
        }
    }

    private record IndexedFinder(Map<String, IndexedReference> modules) implements ModuleFinder {
        @Override
        public Optional<ModuleReference> find(String name) {
            return Optional.ofNullable(modules.get(name));
        }

        @Override
        public Set<ModuleReference> findAll() {
            return Set.<ModuleReference>copyOf(modules.values());
        }
    }

    /**
     * Writes the index of each directory given, or with {@code --check} checks each one: it must match the jars and
     * describe them as the JDK's module finder does.
     *
     * @param args {@code [--check] PLUGIN_DIR...}
     */
    public static void main(String[] args) {
        boolean check = args.length > 0 && args[0].equals("--check");
        List<String> dirs = List.of(args).subList(check ? 1 : 0, args.length);
        if (dirs.isEmpty()) {
            System.err.println("usage: ModuleIndex [--check] PLUGIN_DIR...");
            System.exit(2);
        }
        int failed = 0;
        for (String d : dirs) {
            Path dir = Path.of(d);
            try {
                if (!check) {
                    write(dir);
                    continue;
                }
                String problem = checkOne(dir);
                if (!problem.isEmpty()) {
                    System.err.println(dir + ": " + problem);
                    failed++;
                }
            } catch (IOException | RuntimeException e) {
                System.err.println(dir + ": " + e.getMessage());
                failed++;
            }
        }
        System.exit(failed == 0 ? 0 : 1);
    }

    private static String checkOne(Path dir) {
        Lookup lookup = finder(dir);
        if (lookup.finder().isEmpty()) {
            return lookup.problem().isEmpty() ? "no " + FILE_NAME : lookup.problem();
        }
        Map<String, ModuleDescriptor> fromIndex = new LinkedHashMap<>();
        lookup.finder().get().findAll().forEach(r -> fromIndex.put(r.descriptor().name(), r.descriptor()));
        Map<String, ModuleDescriptor> fromJars = new LinkedHashMap<>();
        ModuleFinder.of(dir).findAll().forEach(r -> fromJars.put(r.descriptor().name(), r.descriptor()));
        return fromIndex.equals(fromJars) ? "" : "its module index describes the jars differently from the JDK";
    }
}
