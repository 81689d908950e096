package xspct.api;

import java.util.Map;

/**
 * An optional capability of a {@link CacheTier} or a {@link Backend}: gauges describing its resources, e.g.
 * {@code active}, {@code idle} and {@code waiting} connections of its pool, for the metrics endpoint and the stats
 * lines.
 *
 * @since API 2.0 for cache tiers (before, a default method of {@code CacheTier}); API 2.3 for backends (before, a
 *        default method of {@code Backend}, which the core no longer reads)
 */
public interface ResourceGauges {
    /**
     * The gauges; must be cheap and must not block.
     *
     * @return gauge name to value
     */
    Map<String, Number> gauges();
}
