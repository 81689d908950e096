package xspct.api;

import java.util.Map;

/**
 * An optional capability of a {@link CacheTier}: gauges describing its resources, e.g. {@code active} and
 * {@code idle} connections of a shared tier's pool, for the metrics endpoint and the stats lines.
 *
 * @since API 2.0 (before, a default method of {@code CacheTier})
 */
public interface ResourceGauges {
    /**
     * The gauges; must be cheap and must not block.
     *
     * @return gauge name to value
     */
    Map<String, Number> gauges();
}
