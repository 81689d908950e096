/**
 * The xspct-db plugin API: what a backend, cache tier or codec plugin compiles against.
 *
 * <p>Plugins implement {@link xspct.api.BackendProvider}, {@link xspct.api.CacheTierProvider} or
 * {@link xspct.api.BodyCodecProvider} and declare
 * them with {@code provides} in their own module descriptor. The API is versioned by
 * {@link xspct.api.ApiVersion}; it has no dependency besides {@code java.base}.
 */
module xspct.api {
    exports xspct.api;
    // MapConfigNode: a configuration fixture for plugin tests, so they need not depend on the core
    exports xspct.api.testing;
}
