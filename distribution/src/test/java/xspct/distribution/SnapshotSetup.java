package xspct.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keys, configurations and waits for the snapshot tests: a central instance publishing, edges subscribing.
 */
final class SnapshotSetup {
    static final String KEY = "k";
    static final Map<String, String> AUTH = Map.of("X-Api-Key", KEY);
    static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final Pattern SERVES = Pattern.compile("snapshot (\\d{8}T\\d{9}Z) serves");

    final Path dir;
    final Path privateKey;
    final Path publicKey;

    private SnapshotSetup(Path dir) {
        this.dir = dir;
        this.privateKey = dir.resolve("snapshot.key");
        this.publicKey = dir.resolve("snapshot.pub");
    }

    /** Makes a key pair with openssl, as the documentation says. */
    static SnapshotSetup create(String purpose) {
        try {
            SnapshotSetup s = new SnapshotSetup(Files.createTempDirectory(Distribution.workDir(), purpose));
            tool("openssl", "genpkey", "-algorithm", "ed25519", "-out", s.privateKey.toString());
            tool("openssl", "pkey", "-in", s.privateKey.toString(), "-pubout", "-out", s.publicKey.toString());
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Distribution.Exited tool(String... command) {
        Distribution.Exited r = Distribution.runTool(List.of(command), Distribution.workDir(), 60);
        assertEquals(0, r.exitCode(), String.join(" ", command) + ": " + r.output());
        return r;
    }

    Path centralDir() {
        return dir.resolve("central");
    }

    Path edgeDir(String name) {
        return dir.resolve("edge-" + name);
    }

    /** The publishing section of a central. */
    String publish(double interval, String exclude) {
        return publish(interval, exclude, centralDir());
    }

    /** The publishing section of a central with its own directory. */
    String publish(double interval, String exclude, Path directory) {
        return """
                xspct_db_snapshot_publish:
                  enabled: true
                  interval: %s
                  directory: %s
                  keep: 5
                  signing_key: %s
                  exclude_attributes: [%s]
                """.formatted(interval, directory, privateKey, exclude);
    }

    /** The subscribing section of an edge. */
    String subscribe(String name, int centralPort, String mode, double interval, double maxAge) {
        return """
                xspct_db_snapshot_subscribe:
                  enabled: true
                  url: http://127.0.0.1:%d
                  api_key: %s
                  interval: %s
                  max_age: %s
                  directory: %s
                  keep: 3
                  public_key: %s
                  mode: %s
                """.formatted(centralPort, KEY, interval, maxAge, edgeDir(name), publicKey, mode);
    }

    /** Waits until the log has {@code count} lines containing the text. */
    static void awaitLog(RunningServer s, String text, int count) {
        await(() -> occurrences(s.stdout(), text) >= count, () -> "'" + text + "' x" + count + " in\n" + s.stdout());
    }

    static int occurrences(String log, String text) {
        int n = 0;
        for (int i = log.indexOf(text); i >= 0; i = log.indexOf(text, i + 1)) {
            n++;
        }
        return n;
    }

    /** {@return the version the edge last logged as serving} */
    static String serving(RunningServer edge) {
        Matcher m = SERVES.matcher(edge.stdout());
        String last = null;
        while (m.find()) {
            last = m.group(1);
        }
        return last;
    }

    static void await(BooleanSupplier condition, java.util.function.Supplier<String> what) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, () -> "timed out waiting for " + what.get());
            LockSupport.parkNanos(20_000_000); // polling interval of the condition, not a wait for luck
        }
    }

    /**
     * Rewrites a stored manifest and signs it with a key, as a central with that key would have.
     *
     * @param manifest the manifest file
     * @param edit     changes the text (before the signature line)
     * @param key      the PKCS#8 PEM private key to sign with
     */
    static void resign(Path manifest, java.util.function.UnaryOperator<String> edit, Path key) throws Exception {
        String all = Files.readString(manifest, StandardCharsets.UTF_8);
        String text = edit.apply(all.substring(0, all.lastIndexOf("signature=")));
        String pem = Files.readString(key).replaceAll("-----[A-Z ]+-----|\\s", "");
        PrivateKey k = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(
                Base64.getDecoder().decode(pem)));
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(k);
        s.update(text.getBytes(StandardCharsets.UTF_8));
        Files.writeString(manifest, text + "signature=" + Base64.getEncoder().encodeToString(s.sign()) + "\n");
    }
}
