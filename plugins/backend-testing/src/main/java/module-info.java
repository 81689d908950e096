/**
 * The test backends {@code dummy}, {@code delay} and {@code error}.
 */
module xspct.backend.testing {
    requires xspct.api;
    provides xspct.api.BackendProvider with xspct.backend.testing.DummyBackendProvider,
            xspct.backend.testing.DelayBackendProvider, xspct.backend.testing.ErrorBackendProvider;
}
