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

/**
 * Loads plugins: every subdirectory of a plugin directory (a plugin jar plus its own dependency jars) becomes one
 * child {@link ModuleLayer} of the core's layer, so two plugins may bundle different versions of one library.
 * Providers are found with {@link ServiceLoader} in each layer.
 */
public final class PluginLoader {
    private static final System.Logger LOG = System.getLogger(PluginLoader.class.getName());

    private final ModuleLayer parent;
    private final List<Class<?>> extraServices;

    /**
     * Creates a loader whose plugin layers are children of {@code parent}.
     *
     * @param parent        the layer holding the API module (normally the boot layer)
     * @param extraServices further API service types to collect besides backends and cache tiers
     */
    public PluginLoader(ModuleLayer parent, List<Class<?>> extraServices) {
        this.parent = parent;
        this.extraServices = List.copyOf(extraServices);
    }

    /**
     * Loads every plugin directory below {@code pluginsDir}.
     *
     * @param pluginsDir the plugin directory; a missing directory means no plugins
     * @return the registry
     * @throws PluginException when a plugin cannot be resolved or two plugins provide the same {@code db_type}
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
        Map<Class<?>, List<Object>> services = new HashMap<>();
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
                for (BackendProvider p : providers(layer, BackendProvider.class)) {
                    String previous = backendOwner.putIfAbsent(p.dbType(), name);
                    if (previous != null) {
                        problems.add("plugins '" + previous + "' and '" + name + "' both provide db_type '"
                                + p.dbType() + "'; remove one of them");
                        continue;
                    }
                    backends.put(p.dbType(), p);
                    provides.add("backend:" + p.dbType());
                }
                for (CacheTierProvider p : providers(layer, CacheTierProvider.class)) {
                    tiers.add(p);
                    provides.add("cache:" + p.name());
                }
                for (Class<?> type : extraServices) {
                    for (Object p : providers(layer, type)) {
                        services.computeIfAbsent(type, k -> new ArrayList<>()).add(p);
                        provides.add(p instanceof BodyCodecProvider c ? "codec:" + c.mediaTypes().get(0)
                                : type.getSimpleName() + ":" + p.getClass().getSimpleName());
                    }
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
        return new PluginRegistry(plugins, backends, tiers, services);
    }

    private ModuleLayer defineLayer(Path dir) {
        ModuleFinder finder = ModuleFinder.of(dir);
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

    private static <T> List<T> providers(ModuleLayer layer, Class<T> type) {
        List<T> out = new ArrayList<>();
        ServiceLoader.load(layer, type).stream()
                .filter(p -> p.type().getModule().getLayer() == layer)
                .forEach(p -> out.add(p.get()));
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
