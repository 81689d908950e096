package org.example.staticdomain;

import xspct.api.Backend;
import xspct.api.BackendProvider;
import xspct.api.QueryContext;

/**
 * {@code db_type: static_domain}: every address of the configured domains is answered with one configured entry,
 * e.g. a catch-all mailbox.
 *
 * <pre>
 * xspct_db_queries:
 *   catchall:
 *     db_type: static_domain
 *     domains: [example.net]
 *     entry:
 *       mail: catchall@example.net
 *       mailbox: "example.net/catchall/"
 *       comment: "{userpart} is delivered to the catch-all"
 * </pre>
 *
 * The core finds this class through the {@code provides} clause of the module descriptor and calls
 * {@link #create} once per query that names the {@code db_type}.
 */
public final class StaticDomainProvider implements BackendProvider {
    /** Public no-argument constructor, as ServiceLoader needs; it does nothing. */
    public StaticDomainProvider() {
    }

    @Override
    public String dbType() {
        return "static_domain";
    }

    /** Validation for {@code xspct-db --check}: this backend connects to nothing, so reading it is enough. */
    @Override
    public void check(QueryContext context) {
        StaticDomainBackend.create(context);
    }

    @Override
    public Backend create(QueryContext context) {
        return StaticDomainBackend.create(context);
    }
}
