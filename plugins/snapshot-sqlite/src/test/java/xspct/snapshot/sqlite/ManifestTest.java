package xspct.snapshot.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestTest {
    private static final Manifest M = new Manifest("20261201T120000000Z", Instant.parse("2026-12-01T12:00:00Z"), 1,
            3, 4, 1, 8192, "ab".repeat(32), "cd".repeat(32), "queries: users; exclude_attributes: secret");

    @Test
    void aSignedManifestVerifiesAndReadsBack() throws Exception {
        KeyPair k = Fixtures.keyPair();
        assertEquals(M, Manifest.verify(M.sign(k.getPrivate()), k.getPublic()));
    }

    @Test
    void anotherKeysSignatureIsRefused() throws Exception {
        byte[] signed = M.sign(Fixtures.keyPair().getPrivate());
        SnapshotRefused e = assertThrows(SnapshotRefused.class,
                () -> Manifest.verify(signed, Fixtures.keyPair().getPublic()));
        assertTrue(e.getMessage().contains("signature"), e.getMessage());
    }

    @Test
    void anUnsignedManifestIsRefused() throws Exception {
        KeyPair k = Fixtures.keyPair();
        String text = new String(M.sign(k.getPrivate()), StandardCharsets.UTF_8);
        byte[] unsigned = text.substring(0, text.indexOf("signature=")).getBytes(StandardCharsets.UTF_8);
        assertThrows(SnapshotRefused.class, () -> Manifest.verify(unsigned, k.getPublic()));
    }

    @Test
    void anAlteredFieldIsRefused() throws Exception {
        KeyPair k = Fixtures.keyPair();
        byte[] altered = new String(M.sign(k.getPrivate()), StandardCharsets.UTF_8).replace("users=3", "users=4")
                .getBytes(StandardCharsets.UTF_8);
        assertThrows(SnapshotRefused.class, () -> Manifest.verify(altered, k.getPublic()));
    }

    @Test
    void keysMadeByOpensslAreRead(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl is not installed");
        Path priv = dir.resolve("snapshot.key");
        Path pub = dir.resolve("snapshot.pub");
        run("openssl", "genpkey", "-algorithm", "ed25519", "-out", priv.toString());
        run("openssl", "pkey", "-in", priv.toString(), "-pubout", "-out", pub.toString());
        byte[] signed = M.sign(Ed25519.privateKey(priv));
        assertEquals(M, Manifest.verify(signed, Ed25519.publicKey(pub)));
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
    }
}
