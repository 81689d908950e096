package xspct.core.lookup;

import xspct.api.Backend;
import xspct.core.config.QuerySettings;

/**
 * A query of {@code xspct_db_queries} with the backend created for it.
 *
 * @param settings the query's common settings
 * @param backend  the backend, or null for a query without a usable {@code db_type} (a no-op, as in the original)
 * @param wildcardKeys how this query derives wildcard keys
 */
public record ConfiguredQuery(QuerySettings settings, Backend backend, WildcardKeys wildcardKeys) {

    /** {@return the query name} */
    public String name() {
        return settings.name();
    }
}
