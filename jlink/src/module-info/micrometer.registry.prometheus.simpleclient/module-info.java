module micrometer.registry.prometheus.simpleclient {
    requires simpleclient.common;
    requires transitive micrometer.commons;
    requires transitive micrometer.core;
    requires transitive simpleclient;
    exports io.micrometer.prometheus;
}
