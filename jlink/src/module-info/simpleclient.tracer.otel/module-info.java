module simpleclient.tracer.otel {
    requires transitive simpleclient.tracer.common;
    exports io.prometheus.client.exemplars.tracer.otel;
}
