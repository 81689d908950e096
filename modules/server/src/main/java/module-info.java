/**
 * xspct-db HTTP front end (Helidon SE) and entry point.
 */
module xspct.server {
    requires xspct.core;
    requires io.helidon.webserver;
    requires io.helidon.http;
    requires io.helidon.common;
    requires io.helidon.common.tls;
    requires io.helidon.common.pki;
    requires io.helidon.common.configurable;
    requires io.helidon.common.media.type;
    requires io.helidon.common.socket;
    requires io.helidon.common.task;
    requires io.helidon.metrics.api;
    requires micrometer.core;
    // the registry Helidon's Prometheus formatter renders; the provider only requires it statically, so without
    // this it would not be resolved in the runtime image
    requires micrometer.registry.prometheus.simpleclient;
    requires java.logging;
    requires jdk.management; // process CPU time and file descriptors for the process_* metrics
    requires jdk.unsupported; // sun.misc.Signal (SignalExit): exit 0 on SIGTERM

    exports xspct.server;

    uses io.helidon.metrics.spi.MeterRegistryFormatterProvider;
}
