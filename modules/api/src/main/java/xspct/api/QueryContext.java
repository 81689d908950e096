package xspct.api;

/**
 * What a {@link BackendProvider} receives to create a {@link Backend} for one configured query.
 *
 * @param queryName the query's name (its key under {@code xspct_db_queries})
 * @param query     the query's configuration section
 * @param root      the whole configuration file, for global keys such as {@code xspct_db_yaml_data} or pool
 *                  defaults
 */
public record QueryContext(String queryName, ConfigNode query, ConfigNode root) {
}
