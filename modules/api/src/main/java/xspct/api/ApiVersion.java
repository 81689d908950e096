package xspct.api;

/**
 * Version of the plugin API. A plugin built against API {@code MAJOR.x} runs on every core whose API has the
 * same major version and an equal or higher minor version.
 */
public final class ApiVersion {
    /** Incompatible changes increase this. */
    public static final int MAJOR = 1;
    /**
     * Compatible additions increase this (1: RowAttribution, BodyCodecProvider, remote cache invalidation;
     * 2: {@link SetSource} through {@link CacheTier#setSource()}; 3: configuration warnings and
     * {@code check} methods that validate without connecting; 4: {@link ChangeSource} and the change feed types).
     */
    public static final int MINOR = 4;

    private ApiVersion() {
    }

    /** {@return the version as {@code MAJOR.MINOR}} */
    public static String string() {
        return MAJOR + "." + MINOR;
    }
}
