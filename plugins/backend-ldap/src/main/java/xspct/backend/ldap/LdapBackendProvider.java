package xspct.backend.ldap;

import xspct.api.Backend;
import xspct.api.BackendProvider;
import xspct.api.QueryContext;

/**
 * {@code db_type: ldap}: entries found by one subtree search per batch, the per-address filters built from
 * {@code search_filter} and joined with {@code (|...)} (SPEC 4.5). Keys are documented in docs/backends.md.
 */
public final class LdapBackendProvider implements BackendProvider {
    @Override
    public String dbType() {
        return "ldap";
    }

    @Override
    public void check(QueryContext context) {
        LdapBackend.check(context);
    }

    @Override
    public Backend create(QueryContext context) {
        return LdapBackend.create(context);
    }
}
