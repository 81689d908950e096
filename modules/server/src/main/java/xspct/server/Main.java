package xspct.server;

import java.nio.file.Path;
import java.util.List;
import java.util.logging.LogManager;

import xspct.api.BodyCodecProvider;
import xspct.core.XspctService;
import xspct.core.config.ConfigException;
import xspct.core.config.ConfigFile;
import xspct.core.config.Settings;
import xspct.core.plugin.PluginException;
import xspct.core.plugin.PluginLoader;
import xspct.core.plugin.PluginRegistry;

/**
 * Starts xspct-db: {@code xspct-db CONFIG}. Exit codes: 0 after a clean shutdown, 1 for a usage error, 2 when the
 * configuration or a plugin cannot be used (the message says which key or plugin), 3 when the server cannot start.
 */
public final class Main {
    /** System property naming the plugin directory; the launcher sets it. */
    public static final String PLUGINS_PROPERTY = "xspct.plugins";

    private Main() {
    }

    /**
     * Entry point.
     *
     * @param args the configuration file
     */
    public static void main(String[] args) {
        // must precede the first use of java.util.logging
        System.setProperty("java.util.logging.manager", ServerLogManager.class.getName());
        if (args.length != 1 || args[0].isBlank()) {
            System.err.println("usage: xspct-db CONFIG.yml");
            System.exit(1);
        }
        LogSetup.install(30, "Xspct_DB");
        Path pluginsDir = Path.of(System.getProperty(PLUGINS_PROPERTY, "plugins"));
        XspctServer server;
        try {
            server = start(Path.of(args[0]), pluginsDir);
        } catch (ConfigException | PluginException e) {
            System.err.println("xspct-db: " + e.getMessage());
            System.exit(2);
            return;
        } catch (ServerStartException e) {
            System.err.println("xspct-db: " + e.getMessage());
            System.exit(3);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LogManager manager = LogManager.getLogManager();
            server.stop();
            if (manager instanceof ServerLogManager m) {
                m.finishShutdown();
            }
        }, "xspct-shutdown"));
    }

    /**
     * Loads the configuration and plugins and starts the server.
     *
     * @param config     the configuration file
     * @param pluginsDir the plugin directory
     * @return the running server
     * @throws ConfigException      for configuration problems
     * @throws PluginException      for plugins that cannot be loaded
     * @throws ServerStartException when no listener can be opened
     */
    public static XspctServer start(Path config, Path pluginsDir) {
        Settings settings = ConfigFile.load(config);
        LogSetup.install(settings.logLevel(), settings.logPrefix());
        PluginRegistry plugins = new PluginLoader(Main.class.getModule().getLayer() == null
                ? ModuleLayer.boot() : Main.class.getModule().getLayer(), List.of(BodyCodecProvider.class))
                .load(pluginsDir);
        XspctService service = XspctService.create(settings, plugins);
        try {
            return XspctServer.start(service);
        } catch (RuntimeException e) {
            service.close();
            throw e;
        }
    }
}
