module simpleclient.common {
    requires transitive simpleclient;
    exports io.prometheus.client.exporter.common;
}
