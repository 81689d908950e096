package xspct.core.plugin;

import java.util.Optional;

import xspct.api.ApiVersion;
import xspct.api.PluginProvider;

/**
 * Whether this core can serve a provider: the provider's plugin API version must have the core's major version
 * and a minor version not above the core's.
 */
final class ApiCompatibility {
    private ApiCompatibility() {
    }

    /**
     * Checks a provider.
     *
     * @param plugin   the plugin directory name
     * @param provider the provider
     * @return why the provider is refused, or empty when it may be used
     */
    static Optional<String> problem(String plugin, PluginProvider provider) {
        String declared = provider.apiVersion();
        String who = "plugin '" + plugin + "': " + provider.getClass().getName();
        int dot = declared == null ? -1 : declared.indexOf('.');
        int major;
        int minor;
        try {
            major = Integer.parseInt(declared.substring(0, dot));
            minor = Integer.parseInt(declared.substring(dot + 1));
        } catch (RuntimeException e) {
            return Optional.of(who + " declares the plugin API version '" + declared
                    + "', which is not MAJOR.MINOR; this xspct-db provides API " + ApiVersion.CURRENT);
        }
        if (major != ApiVersion.MAJOR) {
            return Optional.of(who + " was built against plugin API " + declared + ", but this xspct-db provides API "
                    + ApiVersion.CURRENT + " (another major version is incompatible); install a build of the plugin "
                    + "for API " + ApiVersion.MAJOR + ".x");
        }
        if (minor > ApiVersion.MINOR) {
            return Optional.of(who + " was built against plugin API " + declared + ", but this xspct-db provides only "
                    + "API " + ApiVersion.CURRENT + "; upgrade xspct-db or install an older build of the plugin");
        }
        return Optional.empty();
    }
}
