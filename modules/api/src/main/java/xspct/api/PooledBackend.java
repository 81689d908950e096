package xspct.api;

/**
 * An optional capability of a {@link Backend} that holds a connection pool: the core samples the pool's size (from
 * its {@link ResourceGauges#gauges()}: {@code total}, else {@code active + idle}) for the periodic {@code STATS} log lines and
 * reports the pools of one family on one line, as xspct_db 0.7 does:
 *
 * <pre>
 * STATS ldap_pools={'people': 3} mysql_pools={'aliases': {'size': 3, 'free': 1}}
 * STATS pool[people] conns min=2 avg=2.5 max=3
 * </pre>
 *
 * @since API 2.0
 */
public interface PooledBackend {
    /** {@return the family of the pool in the stats line, e.g. {@code "ldap"} for {@code ldap_pools={...}}} */
    String poolFamily();

    /** {@return the most connections the pool opens ({@code pool_maxconn}): the stats line says when it is reached} */
    int poolLimit();

    /**
     * The pool's value in its family's stats line, as xspct_db 0.7 prints it: e.g. {@code 3}, or
     * {@code {'size': 3, 'free': 1}}.
     *
     * @return the value; must be cheap
     */
    String poolSummary();
}
