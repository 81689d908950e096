module micrometer.registry.otlp {
    // the OTLP publisher's protobuf classes are not shipped: the server publishes nothing over OTLP
    requires transitive micrometer.commons;
    requires transitive micrometer.core;
    exports io.micrometer.registry.otlp;
    exports io.micrometer.registry.otlp.internal;
}
