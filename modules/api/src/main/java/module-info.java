/**
 * The xspct-db plugin API: what a backend, cache tier or codec plugin compiles against.
 *
 * <p>Plugins implement {@link xspct.api.BackendProvider}, {@link xspct.api.CacheTierProvider} or
 * {@link xspct.api.BodyCodecProvider} and declare
 * them with {@code provides} in their own module descriptor. The API is versioned by
 * {@link xspct.api.ApiVersion}; it has no dependency besides {@code java.base} (and {@code java.logging} for the
 * test fixture {@link xspct.api.testing.CapturedLog}).
 */
module xspct.api {
    exports xspct.api;
    // fixtures for plugin tests, so they need not depend on the core: MapConfigNode (configuration), CapturedLog
    // (log records), NoopCacheTier
    exports xspct.api.testing;
    // only CapturedLog uses it, in tests; at run time the core's own requirement puts it in the boot layer
    requires static java.logging;
}
