package xspct.backend.ldap;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedSearchRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryOperationInterceptor;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.util.ssl.KeyStoreKeyManager;
import com.unboundid.util.ssl.SSLUtil;
import com.unboundid.util.ssl.TrustAllTrustManager;

/**
 * A real LDAP server on a loopback TCP port (UnboundID's in-memory directory) with the test data, counting the
 * searches below the base DN (health checks read the root DSE and are not counted).
 */
final class TestDirectory implements AutoCloseable {
    static final String BASE = "dc=ex,dc=de";
    static final String BIND_DN = "cn=svc,dc=ex,dc=de";
    static final String BIND_PW = "s3cret-pw";

    enum Tls { NONE, START_TLS, LDAPS }

    final int port;
    final List<String> searches = new CopyOnWriteArrayList<>();
    private final InMemoryDirectoryServer server;

    private TestDirectory(int port, InMemoryDirectoryServer server) {
        this.port = port;
        this.server = server;
    }

    /** A directory on a free port, not yet listening. */
    static TestDirectory create(Tls tls, Certificates.KeyStoreFile cert) throws Exception {
        return create(freePort(), tls, cert);
    }

    static TestDirectory create(int port, Tls tls, Certificates.KeyStoreFile cert) throws Exception {
        InMemoryDirectoryServerConfig cfg = new InMemoryDirectoryServerConfig(BASE);
        cfg.addAdditionalBindCredentials(BIND_DN, BIND_PW);
        cfg.setSchema(null); // accept any attribute (mailAlternateAddress, associatedDomain, ...)
        InetAddress lo = InetAddress.getLoopbackAddress();
        InMemoryListenerConfig listener = switch (tls) {
            case NONE -> InMemoryListenerConfig.createLDAPConfig("ldap", lo, port, null);
            case START_TLS -> InMemoryListenerConfig.createLDAPConfig("ldap", lo, port,
                    serverSsl(cert).createSSLSocketFactory());
            case LDAPS -> InMemoryListenerConfig.createLDAPSConfig("ldaps", lo, port,
                    serverSsl(cert).createSSLServerSocketFactory(),
                    new SSLUtil(new TrustAllTrustManager()).createSSLSocketFactory());
        };
        cfg.setListenerConfigs(listener);
        TestDirectory[] self = new TestDirectory[1];
        cfg.addInMemoryOperationInterceptor(new InMemoryOperationInterceptor() {
            @Override
            public void processSearchRequest(InMemoryInterceptedSearchRequest request) {
                if (request.getRequest().getBaseDN().equalsIgnoreCase(BASE)) {
                    self[0].searches.add(request.getRequest().getFilter().toString());
                }
            }
        });
        InMemoryDirectoryServer ds = new InMemoryDirectoryServer(cfg);
        ds.add("dn: dc=ex,dc=de", "objectClass: top", "objectClass: domain", "dc: ex");
        ds.add("dn: ou=people,dc=ex,dc=de", "objectClass: organizationalUnit", "ou: people");
        ds.add("dn: ou=domains,dc=ex,dc=de", "objectClass: organizationalUnit", "ou: domains");
        ds.add("dn: uid=alice,ou=people,dc=ex,dc=de", "objectClass: inetOrgPerson", "uid: alice", "cn: Alice",
                "sn: A", "mail: alice@ex.de", "mailAlternateAddress: alias@ex.de",
                "mailAlternateAddress: a.lias@ex.de");
        ds.add("dn: uid=bob,ou=people,dc=ex,dc=de", "objectClass: inetOrgPerson", "uid: bob", "cn: Bob",
                "sn: B", "mail: bob@ex.de");
        ds.add("dn: uid=carol,ou=people,dc=ex,dc=de", "objectClass: inetOrgPerson", "uid: carol", "cn: Carol",
                "sn: C", "mail: carol@other.de");
        ds.add("dn: uid=star,ou=people,dc=ex,dc=de", "objectClass: inetOrgPerson", "uid: star", "cn: Star",
                "sn: S", "mail: *@ex.de");
        ds.add("dn: associatedDomain=ex.de,ou=domains,dc=ex,dc=de", "objectClass: domainRelatedObject",
                "associatedDomain: ex.de", "mailPolicy: strict");
        ds.add("dn: associatedDomain=other.de,ou=domains,dc=ex,dc=de", "objectClass: domainRelatedObject",
                "associatedDomain: other.de", "mailPolicy: relaxed");
        TestDirectory d = new TestDirectory(port, ds);
        self[0] = d;
        return d;
    }

    private static SSLUtil serverSsl(Certificates.KeyStoreFile cert) throws Exception {
        return new SSLUtil(new KeyStoreKeyManager(cert.keyStore().toFile(), cert.password().toCharArray(),
                "PKCS12", "server"), new TrustAllTrustManager());
    }

    TestDirectory start() throws LDAPException {
        server.startListening();
        return this;
    }

    /** Stops listening and drops every client connection, as a directory restart does. */
    void stop() {
        server.shutDown(true);
    }

    InMemoryDirectoryServer server() {
        return server;
    }

    String url() {
        return "ldap://localhost:" + port;
    }

    @Override
    public void close() {
        server.shutDown(true);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Self-signed server certificates made with the JDK's keytool. */
    static final class Certificates {
        record KeyStoreFile(Path keyStore, String password, Path caDir) {
        }

        static KeyStoreFile selfSigned(Path dir, String hostName) throws Exception {
            Path ks = dir.resolve("server-" + hostName + ".p12");
            Path ca = Files.createDirectories(dir.resolve("ca-" + hostName));
            String pw = "changeit";
            String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
            run(keytool, "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=" + hostName, "-ext", "SAN=dns:" + hostName, "-validity", "2",
                    "-keystore", ks.toString(), "-storepass", pw, "-storetype", "PKCS12");
            run(keytool, "-exportcert", "-rfc", "-alias", "server", "-keystore", ks.toString(), "-storepass", pw,
                    "-file", ca.resolve("server.pem").toString());
            return new KeyStoreFile(ks, pw, ca);
        }

        private static void run(String... cmd) throws Exception {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("keytool failed: " + out);
            }
        }
    }
}
