package xspct.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The Debian package on this machine, as root: installed with {@code dpkg -i}, files and user checked, the server
 * started the way the systemd unit starts it (same user, environment, command lines and capability bounds, without
 * systemd), upgraded over an edited conffile, removed and purged without leftovers; the unit checked by
 * {@code systemd-analyze}, the package by {@code lintian}.
 *
 * <p>Installing a package changes the machine: another run of this test (another checkout's suite) waits for an
 * exclusive lock on {@value #LOCK} around the whole sequence, and the package is purged before and after.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DebianPackageIT {
    static final String LOCK = "/var/lock/xspct-db-deb-test.lock";
    private static final String PACKAGE = "xspct-db";
    private static final String USER = "xspct-db";
    private static final Path CONFIG = Path.of("/etc/xspct-db/xspct-db.yml");
    private static final Path UNIT = Path.of("/lib/systemd/system/xspct-db.service");
    private static final String KEY = "deb-it-" + UUID.randomUUID();
    /** The exposure score systemd-analyze security gives the unit (docs/operations.md records it); lower is better. */
    private static final double EXPOSURE_AT_MOST = 2.0;

    private Path deb;
    private FileChannel lockFile;
    private FileLock lock;

    @BeforeAll
    void lockAndInstall() throws IOException {
        Requirement.require("0".equals(run("id", "-u").stdout().strip()),
                "the Debian package tests install a package and need root");
        deb = Path.of(System.getProperty("xspct.deb", ""));
        Requirement.require(Files.isRegularFile(deb), deb + " was not built (it needs dpkg-deb and dpkg-shlibdeps: "
                + "Debian packages dpkg and dpkg-dev)");
        Requirement.tool("/usr/bin/dpkg", "dpkg");
        lockFile = FileChannel.open(Path.of(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        lock = lockFile.lock(); // blocks while another run of this test has the package installed
        purge();
        Distribution.Exited installed = run("dpkg", "-i", deb.toString());
        assertEquals(0, installed.exitCode(), installed.output());
    }

    @AfterAll
    void purgeAndUnlock() throws IOException {
        try {
            if (lock != null) {
                purge();
            }
        } finally {
            if (lock != null) {
                lock.release();
            }
            if (lockFile != null) {
                lockFile.close();
            }
        }
    }

    @Test
    @Order(1)
    void filesLandWhereListed() throws IOException {
        assertEquals("install ok installed 0.1.0", run("dpkg-query", "-W", "-f=${Status} ${Version}", PACKAGE)
                .stdout());
        for (String f : List.of("/usr/lib/xspct-db/bin/xspct-db", "/usr/lib/xspct-db/runtime/bin/java")) {
            assertTrue(Files.isExecutable(Path.of(f)), f);
        }
        for (String d : List.of("/usr/lib/xspct-db/plugins/yaml", "/usr/lib/xspct-db/plugins/mysql",
                "/usr/lib/xspct-db/plugins/ldap", "/usr/lib/xspct-db/plugins/redis", "/etc/xspct-db/plugins.d")) {
            assertTrue(Files.isDirectory(Path.of(d)), d);
        }
        // the package installs the jars unchanged: their module indexes still match them
        Distribution.Exited index = run("/usr/lib/xspct-db/runtime/bin/java", "-m",
                "xspct.core/xspct.core.plugin.ModuleIndex", "--check", "/usr/lib/xspct-db/plugins/yaml",
                "/usr/lib/xspct-db/plugins/mysql", "/usr/lib/xspct-db/plugins/snapshot-sqlite");
        assertEquals(0, index.exitCode(), index.output());
        assertEquals(Path.of("/usr/lib/xspct-db/bin/xspct-db"), Path.of("/usr/bin/xspct-db").toRealPath());
        assertEquals(Path.of("/etc/xspct-db/plugins.d"), Path.of("/usr/lib/xspct-db/plugins.d").toRealPath());
        for (String f : List.of("/etc/default/xspct-db", UNIT.toString(),
                "/usr/share/xspct-db/prometheus/xspct-db.rules.yml", "/usr/share/xspct-db/grafana/xspct-db.json",
                "/usr/share/xspct-db/rspamd/xspct_settings.lua", "/usr/share/doc/xspct-db/copyright",
                "/usr/share/doc/xspct-db/operations.md", "/usr/share/man/man1/xspct-db.1.gz")) {
            assertTrue(Files.isRegularFile(Path.of(f)), f);
        }
        assertEquals(List.of("/etc/default/xspct-db", "/etc/xspct-db/xspct-db.yml"), conffiles());

        String passwd = run("getent", "passwd", USER).stdout().strip();
        assertTrue(passwd.matches("xspct-db:x:\\d+:\\d+:[^:]*:/var/lib/xspct-db:/usr/sbin/nologin"), passwd);
        assertEquals(0, run("getent", "group", USER).exitCode(), "group " + USER);
        // the configuration holds secrets: root writes it, the service reads it, nobody else
        assertOwner(CONFIG, "root", USER, "rw-r-----");
        assertOwner(Path.of("/var/lib/xspct-db"), USER, USER, "rwxr-x---");
        // enabled (starts at boot once configured), but not started by the installation
        assertTrue(Files.isSymbolicLink(Path.of("/etc/systemd/system/multi-user.target.wants/xspct-db.service")));
        assertEquals("", run("pgrep", "-u", USER).stdout(), "nothing runs as " + USER);
    }

    @Test
    @Order(2)
    void packagedConfigRefusesThePlaceholderKey() {
        String refusal = "xspct_db_api_key: is still the placeholder REPLACE-WITH-YOUR-OWN-KEY: set xspct_db_api_key "
                + "to your own";
        Distribution.Exited check = asServiceUser(List.of("/usr/bin/xspct-db", "--check", CONFIG.toString()), 120);
        assertEquals(2, check.exitCode(), check.output());
        assertTrue(check.stdout().contains("ERROR " + refusal), check.output());

        Distribution.Exited start = asServiceUser(List.of("/usr/bin/xspct-db", CONFIG.toString()), 120);
        assertEquals(2, start.exitCode(), start.output());
        assertTrue(start.stderr().contains(refusal), start.output());

        // the unit's check refuses the start too (systemd would not run ExecStart), with the check's exit code
        Distribution.Exited pre = asServiceUser(SystemdUnit.read(UNIT).command("ExecStartPre"), 120);
        assertEquals(2, pre.exitCode(), pre.output());
    }

    @Test
    @Order(3)
    void serverStartsAsTheUnitStartsIt() throws IOException {
        SystemdUnit unit = SystemdUnit.read(UNIT);
        assertEquals(USER, unit.value("User"));
        assertEquals(List.of("/usr/bin/xspct-db", CONFIG.toString()), unit.command("ExecStart"));
        // what an operator does: set a key (the test also listens on a free port and logs the port at INFO)
        Files.writeString(CONFIG, Files.readString(CONFIG)
                .replace("xspct_db_api_key: REPLACE-WITH-YOUR-OWN-KEY", "xspct_db_api_key: " + KEY)
                .replace("xspct_db_listen_port: 11350", "xspct_db_listen_port: 0")
                .replace("xspct_db_log_level: 30", "xspct_db_log_level: 20"));

        // the shipped configuration with a key is clean
        Distribution.Exited check = asServiceUser(List.of("/usr/bin/xspct-db", "--check", CONFIG.toString()), 120);
        assertEquals(0, check.exitCode(), check.output());
        assertFalse(check.output().contains("ERROR") || check.output().contains("WARNING"), check.output());

        Distribution.Exited pre = asServiceUser(unit.command("ExecStartPre"), 120);
        assertEquals(0, pre.exitCode(), "ExecStartPre " + unit.command("ExecStartPre") + "\n" + pre.output());

        Path workingDir = Path.of(unit.value("WorkingDirectory"));
        try (RunningServer server = RunningServer.start(serviceUser(unit.command("ExecStart")), workingDir,
                unit.environment())) {
            assertEquals(200, server.get("/ping", Map.of()).statusCode());
            assertEquals("{\"users\": {\"postmaster@example.org\": {\"mail\": [\"postmaster@example.org\"], "
                    + "\"aliases\": [\"abuse@example.org\"]}}}",
                    server.get("/v1/query/abuse@example.org", Map.of("X-Api-Key", KEY)).body());
            assertEquals(401, server.get("/v1/query/abuse@example.org", Map.of()).statusCode());
            long pid = server.process().pid();
            String status = Files.readString(Path.of("/proc/" + pid + "/status"));
            String uid = run("id", "-u", USER).stdout().strip();
            assertTrue(status.contains("\nUid:\t" + uid + "\t" + uid + "\t"), "runs as " + USER + ":\n" + status);
            assertTrue(status.contains("\nCapBnd:\t0000000000000000\n"), "no capabilities:\n" + status);
            String cmdline = server.commandLine();
            assertTrue(Pattern.compile(" -Xmx\\d+m ").matcher(cmdline).find(), "heap bound: " + cmdline);
            assertTrue(cmdline.contains("-Dxspct.plugins=/usr/lib/xspct-db/plugins:/usr/lib/xspct-db/plugins.d "),
                    cmdline);
            assertEquals(0, server.stop(), server.stderr());
        }
    }

    @Test
    @Order(4)
    void systemdAnalyzeVerifyIsClean() {
        Path tool = Requirement.tool("/usr/bin/systemd-analyze", "systemd");
        Distribution.Exited r = run(tool.toString(), "verify", UNIT.toString());
        assertEquals(0, r.exitCode(), r.output());
        assertFalse(r.output().contains("xspct-db"), r.output());
    }

    @Test
    @Order(5)
    void systemdAnalyzeSecurityScore() {
        Path tool = Requirement.tool("/usr/bin/systemd-analyze", "systemd");
        Distribution.Exited r = run(tool.toString(), "security", "--offline=true", "--no-pager", UNIT.toString());
        Matcher m = Pattern.compile("Overall exposure level for xspct-db\\.service: (\\d+\\.\\d+)").matcher(r.stdout());
        assertTrue(m.find(), r.output());
        double score = Double.parseDouble(m.group(1));
        System.out.println("systemd-analyze security: exposure " + score);
        assertTrue(score <= EXPOSURE_AT_MOST, "exposure " + score + " > " + EXPOSURE_AT_MOST + "\n" + r.stdout());
    }

    @Test
    @Order(6)
    void lintianIsClean() {
        Path tool = Requirement.tool("/usr/bin/lintian", "lintian");
        Distribution.Exited r = run(tool.toString(), "--fail-on", "error,warning", "--no-tag-display-limit",
                deb.toString());
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().lines().noneMatch(l -> l.startsWith("E:") || l.startsWith("W:")), r.output());
    }

    @Test
    @Order(7)
    void upgradeKeepsTheEditedConffile() throws IOException {
        String edited = Files.readString(CONFIG) + "# edited by the operator " + KEY + "\n";
        Files.writeString(CONFIG, edited);
        Path upgrade = repackaged("0.1.0+upgrade1");

        Distribution.Exited r = run("dpkg", "-i", upgrade.toString());
        assertEquals(0, r.exitCode(), r.output());
        assertEquals("install ok installed 0.1.0+upgrade1",
                run("dpkg-query", "-W", "-f=${Status} ${Version}", PACKAGE).stdout());
        assertEquals(edited, Files.readString(CONFIG));
        assertOwner(CONFIG, "root", USER, "rw-r-----");
    }

    @Test
    @Order(8)
    void removeThenPurgeLeaveNothingBehind() throws IOException {
        List<String> files = run("dpkg", "-L", PACKAGE).stdout().lines().toList();
        assertTrue(files.contains("/usr/lib/xspct-db/bin/xspct-db"), files.toString());

        Distribution.Exited removed = run("dpkg", "-r", PACKAGE);
        assertEquals(0, removed.exitCode(), removed.output());
        assertEquals("deinstall ok config-files", run("dpkg-query", "-W", "-f=${Status}", PACKAGE).stdout());
        assertFalse(Files.exists(Path.of("/usr/lib/xspct-db"), LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(Path.of("/usr/bin/xspct-db"), LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.isRegularFile(CONFIG), "remove keeps the configuration");
        assertTrue(Files.isDirectory(Path.of("/var/lib/xspct-db")), "remove keeps the state");

        Distribution.Exited purged = run("dpkg", "-P", PACKAGE);
        assertEquals(0, purged.exitCode(), purged.output());
        assertFalse(run("dpkg-query", "-W", "-f=${Status}", PACKAGE).stdout().contains("installed"));
        for (String f : files) {
            Path p = Path.of(f);
            if (!Files.isDirectory(p)) { // directories that stay belong to other packages too (/usr, /lib -> usr/lib)
                assertFalse(Files.exists(p, LinkOption.NOFOLLOW_LINKS), f + " is left");
            }
        }
        Distribution.Exited left = run("find", "/etc", "/lib/systemd", "/usr", "/var/lib", "-xdev", "-name",
                "*xspct-db*");
        assertEquals("", left.stdout(), "left behind");
        assertEquals(1, run("dpkg-statoverride", "--list", CONFIG.toString()).exitCode(), "statoverride left");
        assertEquals(0, run("getent", "passwd", USER).exitCode(), "the system user stays (Debian practice)");
    }

    // ---------------------------------------------------------------- helpers

    private static void purge() {
        Distribution.Exited r = run("dpkg", "-P", PACKAGE);
        if (r.exitCode() != 0) {
            throw new AssertionError("dpkg -P " + PACKAGE + " failed:\n" + r.output());
        }
    }

    private static List<String> conffiles() {
        List<String> out = new ArrayList<>();
        for (String line : run("dpkg-query", "-W", "-f=${Conffiles}", PACKAGE).stdout().lines().toList()) {
            if (!line.isBlank()) {
                out.add(line.strip().split("\\s+")[0]);
            }
        }
        return out;
    }

    private static void assertOwner(Path p, String owner, String group, String permissions) throws IOException {
        PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class);
        assertEquals(owner + ":" + group + " " + permissions, a.owner().getName() + ":" + a.group().getName() + " "
                + PosixFilePermissions.toString(a.permissions()), p.toString());
    }

    /** A second version of the package: the same content under another version number. */
    private Path repackaged(String version) throws IOException {
        Path dir = Files.createTempDirectory(Distribution.workDir(), "deb-upgrade-");
        Path tree = dir.resolve("tree");
        Distribution.Exited x = run("dpkg-deb", "--raw-extract", deb.toString(), tree.toString());
        assertEquals(0, x.exitCode(), x.output());
        Path control = tree.resolve("DEBIAN/control");
        Files.writeString(control, Files.readString(control).replaceFirst("(?m)^Version: .*$", "Version: " + version));
        Path out = dir.resolve("xspct-db_" + version + "_amd64.deb");
        Distribution.Exited b = run("dpkg-deb", "--root-owner-group", "-Zgzip", "-z1", "--build", tree.toString(),
                out.toString());
        assertEquals(0, b.exitCode(), b.output());
        return out;
    }

    /** The command as the unit runs it: the service user and group, no new privileges, no capabilities. */
    private static List<String> serviceUser(List<String> command) {
        List<String> out = new ArrayList<>(List.of("setpriv", "--reuid=" + USER, "--regid=" + USER, "--init-groups",
                "--no-new-privs", "--inh-caps=-all", "--bounding-set=-all", "--"));
        out.addAll(command);
        return out;
    }

    private static Distribution.Exited asServiceUser(List<String> command, long timeoutSeconds) {
        return exec(serviceUser(command), timeoutSeconds);
    }

    private static Distribution.Exited run(String... command) {
        return exec(List.of(command), 300);
    }

    /** Runs a command to its end with no input (dpkg must never wait for an answer). */
    private static Distribution.Exited exec(List<String> command, long timeoutSeconds) {
        try {
            Path out = Files.createTempFile(Distribution.workDir(), "deb-", ".out");
            Path err = Files.createTempFile(Distribution.workDir(), "deb-", ".err");
            ProcessBuilder pb = new ProcessBuilder(command).directory(new File("/"))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
            Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(command + " did not finish within " + timeoutSeconds + " s");
            }
            return new Distribution.Exited(p.exitValue(), Files.readString(out), Files.readString(err));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
