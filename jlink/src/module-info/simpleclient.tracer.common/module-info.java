module simpleclient.tracer.common {
    exports io.prometheus.client.exemplars.tracer.common;
}
