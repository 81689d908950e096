/**
 * The {@code ldap} backend: one batched subtree search per lookup over a health-checked UnboundID connection pool.
 */
module xspct.backend.ldap {
    requires xspct.api;
    requires unboundid.ldapsdk;

    provides xspct.api.BackendProvider with xspct.backend.ldap.LdapBackendProvider;
}
