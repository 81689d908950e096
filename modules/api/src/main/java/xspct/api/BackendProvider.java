package xspct.api;

/**
 * Discovers and creates backends of one {@code db_type}.
 *
 * <p>A plugin module declares {@code provides xspct.api.BackendProvider with ...}; the core finds providers with
 * {@link java.util.ServiceLoader} in each plugin's module layer. The provider must have a public no-argument
 * constructor and do no work in it.
 */
public interface BackendProvider {

    /** {@return the {@code db_type} this provider serves, e.g. {@code "ldap"}} */
    String dbType();

    /**
     * Creates the backend for one query. Configuration problems are reported through
     * {@link ConfigNode#problem(String)} rather than thrown. A backend whose server is unreachable must still be
     * created: it answers with its connection error until the server comes back.
     *
     * @param context the query's name and configuration
     * @return the backend
     */
    Backend create(QueryContext context);

    /**
     * Validates one query's section as {@link #create(QueryContext)} would, without creating anything: no
     * connection, no thread, no pool. {@code xspct-db --check} calls this instead of {@code create}, and a start
     * calls it before {@code create}; problems are reported through {@link ConfigNode#problem(String)} and
     * {@link ConfigNode#warning(String)}. Reporting the same problem again in {@code create} is harmless.
     *
     * <p>The default checks nothing: a plugin that does not override it has its section checked only at start.
     *
     * @param context the query's name and configuration
     * @since API 1.3
     */
    default void check(QueryContext context) {
    }
}
