module simpleclient {
    requires simpleclient.tracer.otel;
    requires simpleclient.tracer.otel.agent;
    requires transitive simpleclient.tracer.common;
    exports io.prometheus.client;
    exports io.prometheus.client.exemplars;
}
