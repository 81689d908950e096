package xspct.server;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import xspct.api.BodyCodecProvider;
import xspct.core.XspctService;
import xspct.core.config.ConfigFile;
import xspct.core.config.Problems;
import xspct.core.config.Settings;
import xspct.core.config.YamlNode;
import xspct.core.plugin.PluginLoader;
import xspct.core.plugin.PluginRegistry;

/**
 * What a start and {@code --check} both do before anything is created: read the file, the front-end keys, load
 * the plugins and validate every section (core and plugins). Nothing listens, no backend is contacted. Every
 * problem, error or warning, is in {@link #problems()}, in the order found.
 *
 * @param settings the core settings (defaults in place of invalid values)
 * @param server   the front-end settings
 * @param plugins  the loaded plugins
 */
record StartupConfig(Settings settings, ServerSettings server, PluginRegistry plugins) {

    /**
     * Reads and validates everything a start reads.
     *
     * @param config        the configuration file
     * @param pluginsDirs   the plugin directories, in order
     * @param beforePlugins called with the settings before the plugins load (e.g. to set the log level)
     * @return the configuration with its problems
     * @throws xspct.core.config.ConfigException when the file is missing, unreadable or not YAML
     * @throws xspct.core.plugin.PluginException when a plugin cannot be loaded
     */
    static StartupConfig read(Path config, List<Path> pluginsDirs, Consumer<Settings> beforePlugins) {
        YamlNode root = ConfigFile.parse(config);
        Settings settings = Settings.collect(root);
        beforePlugins.accept(settings);
        ServerSettings server = ServerSettings.read(settings);
        ModuleLayer layer = Main.class.getModule().getLayer();
        PluginRegistry plugins = new PluginLoader(layer == null ? ModuleLayer.boot() : layer,
                List.of(BodyCodecProvider.class)).load(pluginsDirs);
        XspctService.check(settings, plugins);
        return new StartupConfig(settings, server, plugins);
    }

    /** {@return the collector holding every problem found} */
    Problems problems() {
        return settings.root().problems();
    }
}
