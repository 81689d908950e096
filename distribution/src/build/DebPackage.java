import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Builds the Debian package {@code xspct-db_VERSION_amd64.deb} from the assembled distribution with Debian's own
 * tools: the tree is staged here, {@code dpkg-shlibdeps} computes the library dependencies of the runtime image's
 * ELF files, {@code strip} strips them, {@code dpkg-deb} builds the archive.
 *
 * <p>Compiled with the other classes of {@code src/build} and run by the distribution module's pom after the
 * tarball: {@code java -cp CLASSES DebPackage --dist=DIR --deb-files=DIR --docs=DIR --version=V --work=DIR
 * --output=FILE --mode=auto|build|skip}. {@code auto} skips with a warning when dpkg-deb or dpkg-shlibdeps is
 * missing (a build machine that is not Debian), {@code build} fails then.
 */
public final class DebPackage {
    private static final String LIB = "usr/lib/xspct-db";
    private static final String DOC = "usr/share/doc/xspct-db";
    /** The parts of the distribution that the package installs under /usr/lib/xspct-db. */
    private static final List<String> PROGRAM = List.of("bin", "lib", "plugins", "runtime");
    /** The user documentation shipped in /usr/share/doc/xspct-db. */
    private static final List<String> DOCS = List.of("operations.md", "configuration.md", "backends.md", "api.md",
            "plugins.md", "rspamd.md");

    private final BuildStep step;
    private final Path root;

    private DebPackage(BuildStep step) {
        this.step = step;
        this.root = step.path("work").resolve("root");
    }

    public static void main(String[] args) {
        BuildStep.run("deb", args, step -> new DebPackage(step).run());
    }

    private void run() throws IOException {
        String mode = step.option("mode", "auto");
        switch (mode) {
            case "skip" -> {
                System.out.println("[INFO] deb: not built (xspct.deb=skip)");
                return;
            }
            case "auto", "build" -> { }
            default -> throw new BuildFailure("xspct.deb must be auto, build or skip, not '" + mode + "'");
        }
        List<String> missing = Stream.of("dpkg-deb", "dpkg-shlibdeps", "strip", "gzip").filter(t -> !onPath(t))
                .toList();
        if (!missing.isEmpty()) {
            String why = String.join(", ", missing) + " not found (Debian packages dpkg, dpkg-dev, binutils, gzip)";
            if (mode.equals("build")) {
                throw new BuildFailure("cannot build the Debian package: " + why);
            }
            System.out.println("[WARNING] deb: the Debian package is not built: " + why);
            return;
        }
        Path dist = step.path("dist");
        Path files = step.path("deb-files");
        String version = step.option("version", "");
        Path output = step.path("output");

        FileTrees.delete(step.path("work"));
        Files.createDirectories(root);
        for (String part : PROGRAM) {
            FileTrees.copy(dist.resolve(part), dir(LIB + "/" + part));
        }
        Files.createDirectories(dir("usr/bin"));
        Files.createSymbolicLink(root.resolve("usr/bin/xspct-db"), Path.of("../lib/xspct-db/bin/xspct-db"));
        // the launcher loads plugins.d/ of its installation after plugins/: here the administrator's directory
        Files.createSymbolicLink(root.resolve(LIB + "/plugins.d"), Path.of("/etc/xspct-db/plugins.d"));

        Files.createDirectories(dir("etc/xspct-db/plugins.d"));
        copy(files.resolve("xspct-db.yml"), "etc/xspct-db/xspct-db.yml");
        copy(files.resolve("default"), "etc/default/xspct-db");
        copy(files.resolve("xspct-db.service"), "lib/systemd/system/xspct-db.service");
        FileTrees.copy(dist.resolve("contrib"), dir("usr/share/xspct-db"));

        copy(files.resolve("copyright"), DOC + "/copyright");
        // a native package (the version has no Debian revision): changelog.gz, not changelog.Debian.gz
        gzip(substitute(Files.readString(files.resolve("changelog")), version), DOC + "/changelog.gz");
        for (String doc : DOCS) {
            copy(step.path("docs").resolve(doc), DOC + "/" + doc);
        }
        gzip(substitute(Files.readString(files.resolve("xspct-db.1")), version), "usr/share/man/man1/xspct-db.1.gz");
        copy(files.resolve("lintian-overrides"), "usr/share/lintian/overrides/xspct-db");
        strip();
        normalisePermissions();

        Path control = dir("DEBIAN");
        for (String script : List.of("postinst", "prerm", "postrm")) {
            copy(files.resolve(script), "DEBIAN/" + script);
            Files.setPosixFilePermissions(control.resolve(script), PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        copy(files.resolve("conffiles"), "DEBIAN/conffiles");
        List<String> conffiles = Files.readAllLines(control.resolve("conffiles"));
        Files.writeString(control.resolve("md5sums"), md5sums(conffiles));
        Files.writeString(control.resolve("control"), substitute(Files.readString(files.resolve("control")), version)
                .replace("@INSTALLED_SIZE@", Long.toString(installedSizeKiB()))
                .replace("@SHLIBS_DEPENDS@", shlibsDepends()));

        Files.createDirectories(output.getParent());
        Files.deleteIfExists(output);
        long started = System.nanoTime();
        BuildStep.exec(List.of("dpkg-deb", "--root-owner-group", "-Zgzip", "-z6", "--build", root.toString(),
                output.toString()), step.path("work"));
        System.out.printf("[INFO] deb: %s (%d MB) built in %.1f s%n", output, Files.size(output) >> 20,
                (System.nanoTime() - started) / 1e9);
    }

    private Path dir(String relative) throws IOException {
        return Files.createDirectories(root.resolve(relative));
    }

    private void copy(Path from, String to) throws IOException {
        Path target = root.resolve(to);
        Files.createDirectories(target.getParent());
        Files.copy(from, target, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Writes {@code to} compressed as Debian policy asks for documentation: {@code gzip -9n}. */
    private void gzip(String text, String to) throws IOException {
        Path target = root.resolve(to);
        Path plain = target.resolveSibling(target.getFileName().toString().replaceFirst("\\.gz$", ""));
        Files.createDirectories(target.getParent());
        Files.writeString(plain, text);
        BuildStep.exec(List.of("gzip", "-9nf", plain.toString()), root);
    }

    private static String substitute(String text, String version) {
        return text.replace("@VERSION@", version)
                .replace("@DATE@", ZonedDateTime.now().format(
                        DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss Z", Locale.ENGLISH)));
    }

    /**
     * Strips the symbols of the runtime image's ELF files as dh_strip does (Debian ships no unstripped objects); the
     * JVM does not need them, and crash reports still name the functions through the dynamic symbol table.
     */
    private void strip() throws IOException {
        List<String> command = new ArrayList<>(List.of("strip", "--strip-unneeded", "--remove-section=.comment",
                "--remove-section=.note"));
        for (Path p : packageFiles()) {
            if (isElf(p)) {
                command.add(p.toString());
            }
        }
        BuildStep.exec(command, root);
    }

    /** Directories 0755, executables 0755, other files 0644 (the owner is root:root, set by dpkg-deb). */
    private void normalisePermissions() throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                if (Files.isSymbolicLink(p)) {
                    continue;
                }
                boolean exec = Files.isDirectory(p)
                        || Files.getPosixFilePermissions(p).contains(PosixFilePermission.OWNER_EXECUTE);
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(exec ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }

    /** DEBIAN/md5sums: every regular file except the conffiles (dpkg records their sums itself). */
    private String md5sums(List<String> conffiles) throws IOException {
        StringBuilder out = new StringBuilder();
        for (Path p : packageFiles()) {
            String name = root.relativize(p).toString();
            if (!conffiles.contains("/" + name)) {
                out.append(md5(p)).append("  ").append(name).append('\n');
            }
        }
        return out.toString();
    }

    private List<Path> packageFiles() throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> !p.startsWith(root.resolve("DEBIAN")))
                    .filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .sorted(Comparator.comparing(Path::toString)).toList();
        }
    }

    private static String md5(Path file) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("MD5");
            try (var in = Files.newInputStream(file)) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) {
                    md.update(buf, 0, n);
                }
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** As dpkg-gencontrol counts it: each file rounded up to whole KiB, one KiB per directory and symlink. */
    private long installedSizeKiB() throws IOException {
        long kib = 0;
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(p -> !p.startsWith(root.resolve("DEBIAN"))).toList()) {
                kib += Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? (Files.size(p) + 1023) / 1024 : 1;
            }
        }
        return kib;
    }

    /** The shared libraries of the system that the runtime image's ELF files need, from dpkg-shlibdeps. */
    private String shlibsDepends() throws IOException {
        List<String> command = new ArrayList<>(List.of("dpkg-shlibdeps", "-O",
                "-l" + root.resolve(LIB + "/runtime/lib"), "-l" + root.resolve(LIB + "/runtime/lib/server")));
        for (Path p : packageFiles()) {
            if (isElf(p)) {
                command.add("-e" + p);
            }
        }
        // dpkg-shlibdeps wants to run in a source tree: give it the smallest one
        Path source = step.path("work").resolve("shlibs");
        Files.createDirectories(source.resolve("debian"));
        Files.writeString(source.resolve("debian/control"),
                "Source: xspct-db\n\nPackage: xspct-db\nArchitecture: amd64\n");
        String out = BuildStep.exec(command, source);
        for (String line : out.lines().toList()) {
            if (line.startsWith("shlibs:Depends=")) {
                return line.substring("shlibs:Depends=".length()).trim();
            }
        }
        throw new BuildFailure("dpkg-shlibdeps printed no shlibs:Depends line:\n" + out);
    }

    private static boolean isElf(Path p) throws IOException {
        try (var in = Files.newInputStream(p)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
        }
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }
}
