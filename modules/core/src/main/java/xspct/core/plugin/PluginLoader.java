package xspct.core.plugin;

import java.io.IOException;
import java.lang.module.Configuration;
import java.lang.module.FindException;
import java.lang.module.ModuleFinder;
import java.lang.module.ResolutionException;
import java.lang.LayerInstantiationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import xspct.api.BackendProvider;
import xspct.api.BodyCodecProvider;
import xspct.api.CacheTierProvider;
import xspct.api.PluginProvider;
import xspct.api.SnapshotProvider;

/**
 * Loads plugins: every subdirectory of a plugin directory (a plugin jar plus its own dependency jars) becomes one
 * child {@link ModuleLayer} of the core's layer, so two plugins may bundle different versions of one library. A
 * directory's modules are found through its {@link ModuleIndex} when it has one that fits its jars.
 * Providers of every plugin SPI are found with {@link ServiceLoader} in each layer; a provider built against a plugin
 * API this core cannot serve is refused.
 */
public final class PluginLoader {
    private static final System.Logger LOG = System.getLogger(PluginLoader.class.getName());

    private final ModuleLayer parent;

    /**
     * Creates a loader whose plugin layers are children of {@code parent}.
     *
     * @param parent the layer holding the API module (normally the boot layer)
     */
    public PluginLoader(ModuleLayer parent) {
        this.parent = parent;
    }

    /**
     * Loads every plugin directory below {@code pluginsDir}.
     *
     * @param pluginsDir the plugin directory; a missing directory means no plugins
     * @return the registry
     * @throws PluginException when a plugin cannot be resolved, was built against an incompatible plugin API, or two
     *                         plugins provide the same {@code db_type}
     */
    public PluginRegistry load(Path pluginsDir) {
        return load(List.of(pluginsDir));
    }

    /**
     * Loads every plugin directory below each of {@code pluginsDirs} (e.g. the shipped plugins, then an
     * administrator's {@code plugins.d}); one plugin name may appear in only one of them.
     *
     * @param pluginsDirs the plugin directories, in order; a missing directory holds no plugins
     * @return the registry
     * @throws PluginException when a plugin cannot be resolved, two plugins have the same name, or two plugins
     *                         provide the same {@code db_type}
     */
    public PluginRegistry load(List<Path> pluginsDirs) {
        List<LoadedPlugin> plugins = new ArrayList<>();
        Map<String, BackendProvider> backends = new LinkedHashMap<>();
        Map<String, String> backendOwner = new HashMap<>();
        List<CacheTierProvider> tiers = new ArrayList<>();
        List<BodyCodecProvider> codecs = new ArrayList<>();
        List<SnapshotProvider> snapshots = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Map<String, Path> seen = new HashMap<>();
        for (Path pluginsDir : pluginsDirs) {
            if (!Files.isDirectory(pluginsDir)) {
                LOG.log(System.Logger.Level.WARNING, "plugin directory " + pluginsDir + " does not exist; no plugins from it");
                continue;
            }
            for (Path dir : subdirectories(pluginsDir)) {
                Path same = seen.putIfAbsent(dir.getFileName().toString(), dir);
                if (same != null) {
                    problems.add("plugin " + dir + ": a plugin named '" + dir.getFileName() + "' is already installed in "
                            + same + "; remove or rename one of them");
                    continue;
                }
                ModuleLayer layer;
                try {
                    layer = defineLayer(dir);
                } catch (PluginException e) {
                    problems.add(e.getMessage());
                    continue;
                }
                String name = dir.getFileName().toString();
                List<String> provides = new ArrayList<>();
                for (BackendProvider p : providers(layer, BackendProvider.class, name, problems)) {
                    String previous = backendOwner.putIfAbsent(p.dbType(), name);
                    if (previous != null) {
                        problems.add("plugins '" + previous + "' and '" + name + "' both provide db_type '"
                                + p.dbType() + "'; remove one of them");
                        continue;
                    }
                    backends.put(p.dbType(), p);
                    provides.add("backend:" + p.dbType());
                }
                for (CacheTierProvider p : providers(layer, CacheTierProvider.class, name, problems)) {
                    tiers.add(p);
                    provides.add("cache:" + p.name());
                }
                for (BodyCodecProvider p : providers(layer, BodyCodecProvider.class, name, problems)) {
                    codecs.add(p);
                    provides.add("codec:" + p.mediaTypes().get(0));
                }
                for (SnapshotProvider p : providers(layer, SnapshotProvider.class, name, problems)) {
                    snapshots.add(p);
                    provides.add("snapshots:" + p.name());
                }
                String version = version(layer, dir);
                LoadedPlugin plugin = new LoadedPlugin(name, dir, version, List.copyOf(provides), layer);
                plugins.add(plugin);
                LOG.log(System.Logger.Level.INFO, "plugin " + name + " " + version + " loaded from " + dir
                        + ", provides " + (provides.isEmpty() ? "nothing" : String.join(", ", provides)));
            }
        }
        if (!problems.isEmpty()) {
            throw new PluginException(String.join(System.lineSeparator(), problems));
        }
        return new PluginRegistry(plugins, backends, tiers, codecs, snapshots);
    }

    private ModuleLayer defineLayer(Path dir) {
        ModuleFinder finder = index(dir);
        Set<String> roots;
        try {
            roots = finder.findAll().stream().map(r -> r.descriptor().name()).collect(Collectors.toSet());
        } catch (FindException e) {
            throw new PluginException("plugin " + dir + ": " + e.getMessage());
        }
        if (roots.isEmpty()) {
            throw new PluginException("plugin " + dir + ": contains no jar");
        }
        for (String root : roots) {
            if (parent.findModule(root).isPresent()) {
                throw new PluginException("plugin " + dir + ": bundles module '" + root
                        + "', which the core already has; remove that jar from the plugin directory");
            }
        }
        try {
            // all jars are roots: automatic modules declare no requires, so their explicit dependencies in the
            // same directory would otherwise not be resolved
            Configuration cf = parent.configuration().resolveAndBind(finder, ModuleFinder.of(), roots);
            return ModuleLayer.defineModulesWithOneLoader(cf, List.of(parent),
                    PluginLoader.class.getClassLoader()).layer();
        } catch (FindException | ResolutionException | LayerInstantiationException e) {
            throw new PluginException("plugin " + dir + ": " + e.getMessage());
        }
    }

    /** The finder of a plugin's modules: from its module index when it has one that fits its jars. */
    private static ModuleFinder index(Path dir) {
        ModuleIndex.Lookup index = ModuleIndex.finder(dir);
        if (!index.problem().isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "plugin " + dir + ": " + index.problem() + "; reading its jars instead");
        }
        return index.finder().orElseGet(() -> ModuleFinder.of(dir));
    }

    /** The layer's own providers of an SPI whose plugin API version this core serves; the others are problems. */
    private static <T extends PluginProvider> List<T> providers(ModuleLayer layer, Class<T> type, String plugin,
                                                                List<String> problems) {
        List<T> out = new ArrayList<>();
        ServiceLoader.load(layer, type).stream()
                .filter(p -> p.type().getModule().getLayer() == layer)
                .map(ServiceLoader.Provider::get)
                .forEach(p -> ApiCompatibility.problem(plugin, p).ifPresentOrElse(problems::add, () -> out.add(p)));
        return out;
    }

    private static String version(ModuleLayer layer, Path dir) {
        return layer.modules().stream()
                .filter(m -> m.getDescriptor().provides().stream().anyMatch(p -> p.service().startsWith("xspct.api.")))
                .map(m -> m.getDescriptor().rawVersion().orElse("?"))
                .findFirst().orElse("?");
    }

    private static List<Path> subdirectories(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new PluginException("cannot list plugin directory " + dir + ": " + e.getMessage());
        }
    }
}
