module io.prometheus.metrics.model {
    exports io.prometheus.metrics.model.registry;
    exports io.prometheus.metrics.model.snapshots;
}
