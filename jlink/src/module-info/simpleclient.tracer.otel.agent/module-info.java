module simpleclient.tracer.otel.agent {
    requires transitive simpleclient.tracer.common;
    exports io.prometheus.client.exemplars.tracer.otel_agent;
}
