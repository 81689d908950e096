package xspct.api;

/**
 * What every provider of a plugin declares: the plugin API version it was compiled against, so that the core can
 * refuse a plugin it cannot serve with a message naming both versions (as JDBC's {@code Driver.getMajorVersion}
 * lets a caller check a driver).
 *
 * @since API 2.0
 */
public interface PluginProvider {
    /**
     * The API version this provider was compiled against, as {@code MAJOR.MINOR}. Implement it as
     * {@code return ApiVersion.CURRENT;}: the constant is copied into the plugin's class file when the plugin is
     * compiled, so it keeps the plugin's version whatever core it runs on. The core loads a provider whose major
     * version equals its own and whose minor version is not higher than its own.
     *
     * @return the version, e.g. {@code "2.0"}; {@code "1.0"} by default, which this core refuses: a provider that
     *         does not declare its version was built before API 2.0
     */
    default String apiVersion() {
        return "1.0";
    }
}
