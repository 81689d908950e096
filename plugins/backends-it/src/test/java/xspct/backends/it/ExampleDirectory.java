package xspct.backends.it;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedSearchRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryOperationInterceptor;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPException;

/**
 * The worked example's directory: a real LDAP server (UnboundID's in-memory directory) on a loopback port, with the
 * bind account of docs/backends.md, counting the searches below {@code ou=people}.
 */
public final class ExampleDirectory implements AutoCloseable {
    static final String PEOPLE = "ou=people,dc=example,dc=org";
    private final InMemoryDirectoryServer server;
    private final AtomicInteger searches = new AtomicInteger();

    /**
     * Starts the directory.
     *
     * @param extraUsers further users {@code user<i>@example.org} (for the benchmark)
     */
    public ExampleDirectory(int extraUsers) throws LDAPException, com.unboundid.ldif.LDIFException {
        InMemoryDirectoryServerConfig cfg = new InMemoryDirectoryServerConfig("dc=example,dc=org");
        cfg.addAdditionalBindCredentials("cn=xspct,ou=services,dc=example,dc=org", "change-me");
        // the standard schema plus mailAlternateAddress, so the searched attributes can be indexed as a real
        // directory would index them (without an index every search scans every entry)
        cfg.setSchema(com.unboundid.ldap.sdk.schema.Schema.mergeSchemas(
                com.unboundid.ldap.sdk.schema.Schema.getDefaultStandardSchema(),
                new com.unboundid.ldap.sdk.schema.Schema(new Entry("dn: cn=schema", "objectClass: top",
                        "objectClass: ldapSubentry", "objectClass: subschema", "cn: schema",
                        "attributeTypes: ( 1.3.6.1.4.1.32473.1.1 NAME 'mailAlternateAddress' "
                                + "EQUALITY caseIgnoreIA5Match SYNTAX 1.3.6.1.4.1.1466.115.121.1.26 )",
                        "objectClasses: ( 1.3.6.1.4.1.32473.2.1 NAME 'mailUser' SUP top AUXILIARY "
                                + "MAY mailAlternateAddress )"))));
        cfg.setEqualityIndexAttributes("mail", "mailAlternateAddress");
        cfg.setListenerConfigs(InMemoryListenerConfig.createLDAPConfig("ldap", InetAddress.getLoopbackAddress(), 0,
                null));
        cfg.addInMemoryOperationInterceptor(new InMemoryOperationInterceptor() {
            @Override
            public void processSearchRequest(InMemoryInterceptedSearchRequest request) {
                if (request.getRequest().getBaseDN().equalsIgnoreCase(PEOPLE)) {
                    searches.incrementAndGet();
                }
            }
        });
        server = new InMemoryDirectoryServer(cfg);
        server.add("dn: dc=example,dc=org", "objectClass: top", "objectClass: domain", "dc: example");
        server.add("dn: " + PEOPLE, "objectClass: organizationalUnit", "ou: people");
        server.add("dn: uid=alice," + PEOPLE, "objectClass: inetOrgPerson", "objectClass: mailUser", "uid: alice", "cn: Alice", "sn: A",
                "mail: alice@example.org", "mailAlternateAddress: alias@example.org");
        server.add("dn: uid=bob," + PEOPLE, "objectClass: inetOrgPerson", "uid: bob", "cn: Bob", "sn: B",
                "mail: bob@example.org");
        server.add("dn: uid=carol," + PEOPLE, "objectClass: inetOrgPerson", "uid: carol", "cn: Carol", "sn: C",
                "mail: carol@other.example");
        List<Entry> more = new ArrayList<>();
        for (int i = 0; i < extraUsers; i++) {
            more.add(new Entry("uid=user" + i + "," + PEOPLE, new com.unboundid.ldap.sdk.Attribute("objectClass",
                    "inetOrgPerson"), new com.unboundid.ldap.sdk.Attribute("uid", "user" + i),
                    new com.unboundid.ldap.sdk.Attribute("cn", "User " + i),
                    new com.unboundid.ldap.sdk.Attribute("sn", "U"),
                    new com.unboundid.ldap.sdk.Attribute("mail", "user" + i + "@example.org")));
        }
        for (Entry e : more) {
            server.add(e);
        }
        server.startListening();
    }

    /** {@return the URL to put into {@code server}} */
    public String url() {
        return "ldap://localhost:" + server.getListenPort();
    }

    /** {@return searches below ou=people so far} */
    public int searches() {
        return searches.get();
    }

    @Override
    public void close() {
        server.shutDown(true);
    }
}
