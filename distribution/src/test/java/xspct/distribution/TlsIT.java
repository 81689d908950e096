package xspct.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code xspct_db_tls} of the released server: HTTPS with a certificate chain signed by a test CA, client
 * certificates (mTLS), reloading a renewed certificate without restart, and unusable files refused at start. The
 * certificates are made with {@code openssl} for each run.
 */
class TlsIT {
    private static Path pki;

    @BeforeAll
    static void certificates() throws IOException {
        if (!Files.isExecutable(Path.of("/usr/bin/openssl"))) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("openssl is missing (.ci/run installs it)");
            }
            Assumptions.abort("openssl is not installed: TLS tests skipped");
        }
        pki = Files.createDirectories(Distribution.workDir().resolve("tls-pki"));
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
                "-subj", "/CN=xspct test CA");
        Files.writeString(pki.resolve("server.ext"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
        Files.writeString(pki.resolve("client.ext"), "extendedKeyUsage=clientAuth\n");
        signed("server", "/CN=first", "server.ext");
        signed("renewed", "/CN=renewed", "server.ext");
        signed("client", "/CN=mail-relay", "client.ext");
        openssl("pkcs12", "-export", "-in", "client.pem", "-inkey", "client.key", "-out", "client.p12",
                "-passout", "pass:test");
    }

    private static void signed(String name, String subject, String ext) throws IOException {
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr", "-subj",
                subject);
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", name + ".pem", "-days", "2", "-extfile", ext);
    }

    private static void openssl(String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Distribution.Exited r = Distribution.runTool(cmd, pki, 60);
        assertEquals(0, r.exitCode(), "openssl " + String.join(" ", args) + ": " + r.output());
    }

    private static String config(Path dir, String extra) {
        return Distribution.TEST_LISTENER + """
                xspct_db_api_key: tls-key
                xspct_db_tls:
                  tls_enabled: true
                  tls_cert: %s
                  tls_key: %s
                """.formatted(dir.resolve("server.pem"), dir.resolve("server.key")) + extra;
    }

    /** A copy of the server's files that a test may replace. */
    private static Path serverFiles(String name) throws IOException {
        Path dir = Files.createDirectories(Distribution.workDir().resolve("tls-" + name));
        Files.copy(pki.resolve("server.pem"), dir.resolve("server.pem"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(pki.resolve("server.key"), dir.resolve("server.key"), StandardCopyOption.REPLACE_EXISTING);
        return dir;
    }

    private static SSLContext context(boolean withClientCertificate) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(pki.resolve("ca.pem"))) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (withClientCertificate) {
            KeyStore client = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(pki.resolve("client.p12"))) {
                client.load(in, "test".toCharArray());
            }
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(client, "test".toCharArray());
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    private static HttpResponse<String> get(SSLContext ctx, int port, String path) throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(ctx).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        return http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The subject of the certificate the server presents now (a fresh connection each time). */
    private static String servedSubject(SSLContext ctx, int port) throws IOException {
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.startHandshake();
            return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
        }
    }

    @Test
    void httpsWithTrustedChain() throws Exception {
        Distribution dist = Distribution.shared();
        Path dir = serverFiles("plain");
        try (RunningServer server = RunningServer.start(dist, dist.writeConfig("tls.yml", config(dir, "")))) {
            HttpResponse<String> r = get(context(false), server.port(), "/ping");
            assertEquals(200, r.statusCode());
            assertEquals("Pong", r.body());
            // plain HTTP on the TLS port gets no answer
            assertThrows(RuntimeException.class, () -> server.get("/ping", java.util.Map.of()));
        }
    }

    @Test
    void clientCertificatesRequiredWithCa() throws Exception {
        Distribution dist = Distribution.shared();
        Path dir = serverFiles("mtls");
        String extra = "  tls_client_ca: " + pki.resolve("ca.pem") + "\n";
        try (RunningServer server = RunningServer.start(dist, dist.writeConfig("mtls.yml", config(dir, extra)))) {
            assertThrows(IOException.class, () -> get(context(false), server.port(), "/ping"),
                    "a client without certificate is refused");
            HttpResponse<String> r = get(context(true), server.port(), "/ping");
            assertEquals(200, r.statusCode());
            assertTrue(server.stdout().contains("client certificates required"), server.stdout());
        }
    }

    @Test
    void renewedCertificateIsServedAfterReload() throws Exception {
        Distribution dist = Distribution.shared();
        Path dir = serverFiles("reload");
        String extra = "  tls_reload_interval: 1\n";
        try (RunningServer server = RunningServer.start(dist, dist.writeConfig("reload.yml", config(dir, extra)))) {
            SSLContext ctx = context(false);
            assertEquals("CN=first", servedSubject(ctx, server.port()));
            // replace key and certificate the way a renewal tool does: write beside, then rename over
            Files.copy(pki.resolve("renewed.key"), dir.resolve("server.key.new"));
            Files.copy(pki.resolve("renewed.pem"), dir.resolve("server.pem.new"));
            Files.move(dir.resolve("server.key.new"), dir.resolve("server.key"), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            Files.move(dir.resolve("server.pem.new"), dir.resolve("server.pem"), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            AtomicReference<String> subject = new AtomicReference<>();
            Await.until("the renewed certificate served", Duration.ofSeconds(30), () -> {
                try {
                    subject.set(servedSubject(ctx, server.port()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return subject.get().equals("CN=renewed");
            }, () -> "last served " + subject.get() + "\n" + server.stdout());
            assertEquals("CN=renewed", subject.get(), server.stdout());
            assertTrue(server.stdout().contains("TLS certificate and key reloaded"), server.stdout());
            assertEquals(200, get(ctx, server.port(), "/ping").statusCode());
        }
    }

    /** The read timeout holds on TLS listeners too: before the handshake and after it. */
    @Test
    void slowClientsAreCutOffOverTls() throws Exception {
        Distribution dist = Distribution.shared();
        Path dir = serverFiles("slow");
        String extra = "xspct_db_read_timeout: 1\n";
        try (RunningServer server = RunningServer.start(dist, dist.writeConfig("tls-slow.yml", config(dir, extra)))) {
            double noHandshake = SlowClient.silent(new Socket("127.0.0.1", server.port()), "");
            assertTrue(noHandshake > 0.5 && noHandshake < 10, "no handshake: closed after " + noHandshake + " s");
            SSLSocket tls = (SSLSocket) context(false).getSocketFactory().createSocket("127.0.0.1", server.port());
            tls.startHandshake();
            double slowHeaders = SlowClient.trickle(tls, "GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ", 'a');
            assertTrue(slowHeaders > 0.5 && slowHeaders < 10, "slow headers: closed after " + slowHeaders + " s");
            assertEquals(200, get(context(false), server.port(), "/ping").statusCode());
            assertTrue(server.stdout().contains("request not received within xspct_db_read_timeout (1 s)"),
                    server.stdout());
        }
    }

    @Test
    void unusableFilesStopTheStart() throws IOException {
        Distribution dist = Distribution.shared();
        Path dir = serverFiles("bad");
        Files.delete(dir.resolve("server.pem"));
        Distribution.Exited missing = RunningServer.runToExit(dist, dist.writeConfig("tls-missing.yml",
                config(dir, "")));
        assertEquals(2, missing.exitCode(), missing.output());
        assertTrue(missing.stderr().contains("xspct_db_tls.tls_cert"), missing.output());
        assertTrue(missing.stderr().contains("does not exist"), missing.output());

        Files.copy(pki.resolve("server.pem"), dir.resolve("server.pem"));
        Files.writeString(dir.resolve("server.key"), "not a key\n");
        Distribution.Exited garbage = RunningServer.runToExit(dist, dist.writeConfig("tls-garbage.yml",
                config(dir, "")));
        assertEquals(2, garbage.exitCode(), garbage.output());
        assertTrue(garbage.stderr().contains("xspct_db_tls.tls_key"), garbage.output());
        assertTrue(!garbage.output().contains("\tat "), "no stack trace: " + garbage.output());
    }
}
