package xspct.snapshot.sqlite;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.List;
import java.util.Optional;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import xspct.api.ConfigNode;

/**
 * {@code xspct_db_snapshot_subscribe.tls}: the CA that signed the central's certificate ({@code ca}) and, for mutual
 * TLS, this edge's certificate chain ({@code cert}) and PKCS#8 private key ({@code key}), all PEM files.
 *
 * @param ca   the CA file, or null for the JDK's trust store
 * @param cert the client certificate chain, or null
 * @param key  the client key, or null
 */
record ClientTls(Path ca, Path cert, Path key) {
    static final ClientTls NONE = new ClientTls(null, null, null);
    private static final char[] NO_PASSWORD = new char[0];

    static ClientTls read(ConfigNode n, boolean enabled) {
        if (!n.exists() || n.isNull()) {
            return NONE;
        }
        if (!n.isMap()) {
            n.problem("must be a mapping with ca, cert and key");
            return NONE;
        }
        ClientTls t = new ClientTls(Seconds.path(n.get("ca"), false), Seconds.path(n.get("cert"), false),
                Seconds.path(n.get("key"), false));
        if ((t.cert == null) != (t.key == null)) {
            n.problem("cert and key go together");
        }
        if (enabled) {
            try {
                t.context();
            } catch (IOException | GeneralSecurityException e) {
                n.problem("cannot be loaded: " + e.getMessage());
            }
        }
        return t;
    }

    /** {@return the SSL context, or empty to use the JDK's default} */
    Optional<SSLContext> context() throws IOException, GeneralSecurityException {
        if (ca == null && cert == null) {
            return Optional.empty();
        }
        TrustManagerFactory tmf = null;
        if (ca != null) {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (Certificate c : certificates(ca)) {
                trust.setCertificateEntry("ca" + i++, c);
            }
            tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
        }
        KeyManagerFactory kmf = null;
        if (cert != null && key != null) {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            List<? extends Certificate> chain = certificates(cert);
            ks.setKeyEntry("client", privateKey(key, chain.get(0).getPublicKey().getAlgorithm()), NO_PASSWORD,
                    chain.toArray(Certificate[]::new));
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, NO_PASSWORD);
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
        return Optional.of(ctx);
    }

    private static List<? extends Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
        List<? extends Certificate> certs = List.copyOf(CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(pem))));
        if (certs.isEmpty()) {
            throw new IOException(pem + " holds no certificate");
        }
        return certs;
    }

    private static PrivateKey privateKey(Path pem, String algorithm) throws IOException, GeneralSecurityException {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(
                Pem.der(Files.readString(pem), "PRIVATE KEY")));
    }
}
