package xspct.tests.rspamd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import xspct.core.codec.JsonCodec;

/**
 * A real Rspamd (Debian's {@code rspamd} package) scans a message and applies the settings xspct-db returns for
 * its recipients, through {@code contrib/rspamd/xspct_settings.lua}, once with JSON and once with MessagePack
 * bodies. Rspamd's own answer shows the effect: a symbol disabled by a rule is absent and the reject threshold
 * follows the recipient's reject level.
 */
class RealRspamdTest {
    private static final String API_KEY = "rspamd-test-key";
    private static final String CONFIG = """
            xspct_db_api_key: %s
            xspct_db_queries:
              users:
                db_type: yaml
            xspct_db_yaml_data:
              users:
                alice@ex.test: {mail: [alice@ex.test], greylisting: ["FALSE"], reject_level: ["5"], test_symbol: ["off"]}
                bob@ex.test: {mail: [bob@ex.test], greylisting: ["TRUE"]}
            xspct_db_rspamd_rules:
              - name: no_test_symbol
                condition: {attribute: test_symbol, operator: eq, value: "off"}
                apply:
                  symbols_disabled: [XSPCT_TEST_SYMBOL]
            """.formatted(API_KEY);

    @TempDir
    static Path dir;
    private static XspctProcess xspct;

    @BeforeAll
    static void start() throws Exception {
        boolean present = Files.isExecutable(Path.of("/usr/bin/rspamd")) && Files.isExecutable(Path.of("/usr/bin/rspamc"));
        if (!present) {
            String msg = "rspamd is not installed (Debian: apt-get install rspamd); skipping the real-Rspamd test";
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException(msg + " — but CI=true, where it must be installed (.ci/run)");
            }
            Assumptions.abort(msg);
        }
        xspct = XspctProcess.start(Files.createDirectories(dir.resolve("xspct")), CONFIG, "yaml", "msgpack");
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (xspct != null) {
            xspct.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"json", "messagepack"})
    void rspamdAppliesTheSettings(String encode) throws Exception {
        Path rdir = Files.createDirectories(dir.resolve("rspamd-" + encode));
        int port = XspctProcess.freePort();
        for (String f : new String[] {"test_rules.lua", "message.eml"}) {
            Files.write(rdir.resolve(f), resource(f));
        }
        Files.copy(XspctProcess.ROOT.resolve("distribution/src/main/dist/contrib/rspamd/xspct_settings.lua"), rdir.resolve("xspct_settings.lua"));
        Files.writeString(rdir.resolve("tld.dat"), "test\ncom\n");
        String conf = new String(resource("rspamd.conf"), StandardCharsets.UTF_8).replace("@DIR@", rdir.toString())
                .replace("@PORT@", Integer.toString(port)).replace("@XSPCT_PORT@", Integer.toString(xspct.port))
                .replace("@API_KEY@", API_KEY).replace("@ENCODE@", encode);
        Files.writeString(rdir.resolve("rspamd.conf"), conf);
        Path rlog = rdir.resolve("rspamd.log");
        // -f: stay in the foreground (the test owns the process); -i: allow workers as root (CI runs as root)
        Process rspamd = new ProcessBuilder("rspamd", "-f", "-i", "-c", rdir.resolve("rspamd.conf").toString())
                .redirectErrorStream(true).redirectOutput(rlog.toFile()).start();
        try {
            awaitPort(port, rspamd, rlog);
            Map<?, ?> alice = scan(port, rdir, "alice@ex.test");
            Map<?, ?> bob = scan(port, rdir, "bob@ex.test");
            String logs = "\nrspamd log:\n" + Files.readString(rlog) + "\nxspct-db log:\n" + xspct.log();
            // bob: no settings beyond the defaults, so the rule fires and the configured threshold holds
            assertTrue(((Map<?, ?>) bob.get("symbols")).containsKey("XSPCT_TEST_SYMBOL"), bob + logs);
            assertEquals(15.0, ((Number) bob.get("required_score")).doubleValue(), bob + logs);
            // alice: the symbol is disabled by her rule, and reject level 5 maps to a threshold of 13
            assertFalse(((Map<?, ?>) alice.get("symbols")).containsKey("XSPCT_TEST_SYMBOL"), alice + logs);
            assertEquals(13.0, ((Number) alice.get("required_score")).doubleValue(), alice + logs);
            assertTrue(xspct.log().contains("applied=[no_test_symbol, reject(13)]"),
                    xspct.log());
        } finally {
            rspamd.destroy();
            if (!rspamd.waitFor(20, TimeUnit.SECONDS)) {
                rspamd.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static Map<?, ?> scan(int port, Path rdir, String rcpt) throws Exception {
        Process p = new ProcessBuilder("rspamc", "-h", "127.0.0.1:" + port, "-j", "--from", "sender@other.test",
                "--rcpt", rcpt, rdir.resolve("message.eml").toString()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "rspamc did not finish");
        assertEquals(0, p.exitValue(), new String(out, StandardCharsets.UTF_8));
        return (Map<?, ?>) JsonCodec.read(out);
    }

    private static void awaitPort(int port, Process p, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("rspamd exited with " + p.exitValue() + ":\n" + Files.readString(log));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException e) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("rspamd did not listen within 120 s:\n" + Files.readString(log));
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = RealRspamdTest.class.getResourceAsStream("/rspamd/" + name)) {
            return in.readAllBytes();
        }
    }
}
