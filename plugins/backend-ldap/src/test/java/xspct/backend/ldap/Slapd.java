package xspct.backend.ldap;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenLDAP {@code slapd} (Debian's package) on a free loopback port, with a generated configuration and an
 * mdb database in a temporary directory, optionally with the {@code syncprov} overlay. Missing slapd: the test is
 * skipped, or fails when {@code CI=true} ({@code .ci/run} installs it).
 */
final class Slapd implements AutoCloseable {
    static final String BASE = "dc=example,dc=org";
    static final String ADMIN = "cn=admin,dc=example,dc=org";
    static final String PASSWORD = "slapd-test-pw";
    private static final Path BINARY = Path.of("/usr/sbin/slapd");
    private static final Path MODULES = Path.of("/usr/lib/ldap");

    final int port;
    private final Process process;

    private Slapd(int port, Process process) {
        this.port = port;
        this.process = process;
    }

    /** Starts slapd with a base entry; {@code syncprov} adds the content synchronisation provider. */
    static Slapd start(Path dir, boolean syncprov) throws Exception {
        if (!Files.isExecutable(BINARY) || !Files.isDirectory(MODULES)) {
            String msg = "OpenLDAP slapd is not installed (apt-get install slapd ldap-utils)";
            if ("true".equals(System.getenv("CI"))) {
                fail(msg);
            }
            assumeTrue(false, msg);
        }
        Files.createDirectories(dir.resolve("data"));
        String conf = """
                include /etc/ldap/schema/core.schema
                include /etc/ldap/schema/cosine.schema
                include /etc/ldap/schema/inetorgperson.schema
                modulepath %2$s
                moduleload back_mdb
                %3$s
                pidfile %1$s/slapd.pid
                database mdb
                suffix "%4$s"
                rootdn "%5$s"
                rootpw %6$s
                directory %1$s/data
                maxsize 10485760
                index objectClass eq
                index entryUUID,entryCSN eq
                %7$s
                """.formatted(dir, MODULES, syncprov ? "moduleload syncprov" : "", BASE, ADMIN, PASSWORD,
                syncprov ? "overlay syncprov\nsyncprov-checkpoint 1 1\nsyncprov-sessionlog 100" : "");
        Path file = dir.resolve("slapd.conf");
        Files.writeString(file, conf);
        int port = TestDirectory.freePort();
        // -d keeps slapd in the foreground, so the test owns the process
        Process p = new ProcessBuilder(BINARY.toString(), "-h", "ldap://127.0.0.1:" + port + "/", "-f",
                file.toString(), "-d", "0").redirectErrorStream(true).redirectOutput(dir.resolve("slapd.log")
                .toFile()).start();
        Slapd s = new Slapd(port, p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!s.listening()) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                s.close();
                fail("slapd did not start: " + Files.readString(dir.resolve("slapd.log")));
            }
            Thread.sleep(20);
        }
        s.ldif("ldapadd", """
                dn: %s
                objectClass: dcObject
                objectClass: organization
                o: example
                dc: example

                dn: ou=people,%1$s
                objectClass: organizationalUnit
                ou: people
                """.formatted(BASE));
        return s;
    }

    private boolean listening() {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Runs {@code ldapadd} or {@code ldapmodify} as the admin with the LDIF on standard input. */
    void ldif(String tool, String ldif) throws Exception {
        Process p = new ProcessBuilder(tool, "-x", "-H", "ldap://127.0.0.1:" + port, "-D", ADMIN, "-w", PASSWORD)
                .redirectErrorStream(true).start();
        p.getOutputStream().write(ldif.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail(tool + " failed: " + out);
        }
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
