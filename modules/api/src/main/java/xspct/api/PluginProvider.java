package xspct.api;

/**
 * What every provider of a plugin declares: the plugin API version it was compiled against, so that the core can
 * refuse a plugin it cannot serve with a message naming both versions (as JDBC's {@code Driver.getMajorVersion}
 * lets a caller check a driver).
 *
 * @since API 1.3
 */
public interface PluginProvider {
    /**
     * The API version this provider was compiled against, as {@code MAJOR.MINOR}. Implement it as
     * {@code return ApiVersion.CURRENT;}: the constant is copied into the plugin's class file when the plugin is
     * compiled, so it keeps the plugin's version whatever core it runs on. The core loads a provider whose major
     * version equals its own and whose minor version is not higher than its own.
     *
     * @return the version; {@code "1.0"} by default, for plugins written before this method existed
     */
    default String apiVersion() {
        return "1.0";
    }
}
