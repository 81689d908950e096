package xspct.core.plugin;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import xspct.api.BackendProvider;
import xspct.api.BodyCodecProvider;
import xspct.api.CacheTierProvider;
import xspct.api.SnapshotProvider;

/**
 * The providers found in the plugin directories.
 *
 * @param plugins   every loaded plugin, in directory name order
 * @param backends  backend providers by {@code db_type}
 * @param cacheTiers cache tier providers, by ascending level
 * @param codecs    body codec providers, in plugin order
 * @param snapshots snapshot store providers, in plugin order
 */
public record PluginRegistry(List<LoadedPlugin> plugins, Map<String, BackendProvider> backends,
                             List<CacheTierProvider> cacheTiers, List<BodyCodecProvider> codecs,
                             List<SnapshotProvider> snapshots) {

    /** Creates a registry, copying its collections. */
    public PluginRegistry {
        plugins = List.copyOf(plugins);
        backends = new TreeMap<>(backends);
        cacheTiers = cacheTiers.stream().sorted(Comparator.comparingInt(CacheTierProvider::level)).toList();
        codecs = List.copyOf(codecs);
        snapshots = List.copyOf(snapshots);
    }

    /**
     * Creates a registry without a snapshot store.
     *
     * @param plugins    every loaded plugin
     * @param backends   backend providers by {@code db_type}
     * @param cacheTiers cache tier providers
     * @param codecs     body codec providers
     */
    public PluginRegistry(List<LoadedPlugin> plugins, Map<String, BackendProvider> backends,
                          List<CacheTierProvider> cacheTiers, List<BodyCodecProvider> codecs) {
        this(plugins, backends, cacheTiers, codecs, List.of());
    }

    /**
     * The backend provider for a {@code db_type}.
     *
     * @param dbType the type
     * @return the provider, if a plugin provides it
     */
    public Optional<BackendProvider> backend(String dbType) {
        return Optional.ofNullable(backends.get(dbType));
    }

    /** {@return a one-line summary of the installed plugins for error messages} */
    public String describeInstalled() {
        if (plugins.isEmpty()) {
            return "no plugins are installed";
        }
        StringBuilder sb = new StringBuilder("installed: ");
        for (int i = 0; i < plugins.size(); i++) {
            LoadedPlugin p = plugins.get(i);
            sb.append(i == 0 ? "" : ", ").append(p.name()).append(' ').append(p.provides());
        }
        return sb.toString();
    }
}
