package xspct.backend.ldap;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

import com.unboundid.util.ssl.HostNameSSLSocketVerifier;
import com.unboundid.util.ssl.SSLSocketVerifier;
import com.unboundid.util.ssl.SSLUtil;
import com.unboundid.util.ssl.TrustAllSSLSocketVerifier;
import com.unboundid.util.ssl.TrustAllTrustManager;

/**
 * TLS for ldaps:// and StartTLS. {@code verify_certs: true} means full verification (docs/compatibility.md:
 * "verify_certs means full verification"): the chain
 * must lead to a trusted CA (the certificates of {@code ca_cert_dir}, else the JDK's trust store) and the
 * certificate must name the host of the server URL. {@code false} accepts any certificate.
 */
final class TlsSetup {
    private TlsSetup() {
    }

    static SSLContext context(LdapSettings s) throws GeneralSecurityException {
        TrustManager tm;
        if (!s.verifyCerts()) {
            tm = new TrustAllTrustManager();
        } else {
            TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (s.caCertDir().isPresent()) {
                KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
                try {
                    ks.load(null, null);
                } catch (IOException e) {
                    throw new GeneralSecurityException(e);
                }
                int n = 0;
                for (Certificate c : readCertificates(s.caCertDir().get())) {
                    ks.setCertificateEntry("ca-" + n++, c);
                }
                f.init(ks);
            } else {
                f.init((KeyStore) null);
            }
            tm = f.getTrustManagers()[0];
        }
        return new SSLUtil(tm).createSSLContext();
    }

    static SSLSocketVerifier verifier(LdapSettings s) {
        return s.verifyCerts() ? new HostNameSSLSocketVerifier(true) : TrustAllSSLSocketVerifier.getInstance();
    }

    /**
     * Reads every PEM certificate from the regular files of a directory (OpenSSL's hashed {@code capath} layout
     * works as well as {@code *.pem} / {@code *.crt} files).
     *
     * @throws IllegalArgumentException naming the problem when the directory is unreadable or holds none
     */
    static List<Certificate> readCertificates(String dir) {
        Path d = Path.of(dir);
        if (!Files.isDirectory(d)) {
            throw new IllegalArgumentException("'" + dir + "' is not a directory");
        }
        List<Certificate> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(d)) {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            for (Path p : files.sorted().toList()) {
                if (!Files.isRegularFile(p) || !Files.readString(p, java.nio.charset.StandardCharsets.ISO_8859_1)
                        .contains("-----BEGIN CERTIFICATE-----")) {
                    continue;
                }
                try (InputStream in = Files.newInputStream(p)) {
                    out.addAll(cf.generateCertificates(in));
                } catch (CertificateException e) {
                    throw new IllegalArgumentException("cannot read the certificate " + p + ": " + e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the directory '" + dir + "': " + e.getMessage());
        } catch (CertificateException e) {
            throw new IllegalArgumentException("X.509 certificates are not supported by this JDK: " + e);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("the directory '" + dir + "' holds no PEM certificate");
        }
        return out;
    }
}
