package xspct.snapshot.sqlite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Ed25519 keys in the PEM files {@code openssl genpkey -algorithm ed25519} (PKCS#8 private key) and
 * {@code openssl pkey -pubout} (X.509 public key) write, and signatures with the JDK's own EdDSA.
 */
final class Ed25519 {
    private static final String ALGORITHM = "Ed25519";

    private Ed25519() {
    }

    static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
        return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(
                Pem.der(Files.readString(pem), "PRIVATE KEY")));
    }

    static PublicKey publicKey(Path pem) throws IOException, GeneralSecurityException {
        return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(
                Pem.der(Files.readString(pem), "PUBLIC KEY")));
    }

    static String sign(byte[] data, PrivateKey key) throws GeneralSecurityException {
        Signature s = Signature.getInstance(ALGORITHM);
        s.initSign(key);
        s.update(data);
        return Base64.getEncoder().encodeToString(s.sign());
    }

    static boolean verify(byte[] data, String signature, PublicKey key) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initVerify(key);
            s.update(data);
            return s.verify(Base64.getDecoder().decode(signature));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }
}
