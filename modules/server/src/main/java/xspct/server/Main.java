package xspct.server;

import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

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
    /**
     * System property naming the plugin directories, separated by the path separator ({@code :}); the launcher
     * sets it to the shipped {@code plugins/} and, when present, the administrator's {@code plugins.d/}.
     */
    public static final String PLUGINS_PROPERTY = "xspct.plugins";
    private static final String LOG_MANAGER_PROPERTY = "java.util.logging.manager";

    private Main() {
    }

    /**
     * Entry point.
     *
     * @param args the configuration file
     */
    public static void main(String[] args) {
        // must happen before anything touches java.util.logging (see ServerLogManager)
        if (System.getProperty(LOG_MANAGER_PROPERTY) == null) {
            System.setProperty(LOG_MANAGER_PROPERTY, ServerLogManager.class.getName());
        }
        if (args.length != 1 || args[0].isBlank()) {
            System.err.println("usage: xspct-db CONFIG.yml");
            System.exit(1);
        }
        LogSetup.install(30, "Xspct_DB");
        List<Path> pluginsDirs = pluginDirectories(System.getProperty(PLUGINS_PROPERTY, "plugins"));
        XspctServer server;
        try {
            server = start(Path.of(args[0]), pluginsDirs);
        } catch (ConfigException e) {
            // problems found after parsing (service, front end) do not know the file: name it here
            System.err.println("xspct-db: " + new ConfigException(args[0], e.problems()).getMessage());
            System.exit(2);
            return;
        } catch (PluginException e) {
            System.err.println("xspct-db: " + e.getMessage());
            System.exit(2);
            return;
        } catch (ServerStartException e) {
            System.err.println("xspct-db: " + e.getMessage());
            System.exit(3);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop();
            if (java.util.logging.LogManager.getLogManager() instanceof ServerLogManager m) {
                m.finalReset();
            }
        }, "xspct-shutdown"));
        exitZeroOn("TERM");
        exitZeroOn("INT");
    }

    /**
     * A stop requested by a signal is the normal way to end the service: exit 0 after the shutdown hooks (the
     * JVM's default would be 128 + signal number, which service managers report as a failure).
     */
    private static void exitZeroOn(String signal) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> System.exit(0));
        } catch (IllegalArgumentException e) {
            // signal reserved by the JVM (e.g. with -Xrs): keep the default behaviour
        }
    }

    /** The plugin directories named by the {@link #PLUGINS_PROPERTY} value, empty entries left out. */
    static List<Path> pluginDirectories(String property) {
        return Arrays.stream(property.split(File.pathSeparator))
                .filter(s -> !s.isBlank()).map(Path::of).toList();
    }

    /**
     * Loads the configuration and the plugins of every directory and starts the server.
     *
     * @param config      the configuration file
     * @param pluginsDirs the plugin directories, in order
     * @return the running server
     * @throws ConfigException      for configuration problems
     * @throws PluginException      for plugins that cannot be loaded
     * @throws ServerStartException when no listener can be opened
     */
    public static XspctServer start(Path config, List<Path> pluginsDirs) {
        Settings settings = ConfigFile.load(config);
        LogSetup.install(settings.logLevel(), settings.logPrefix());
        ServerSettings server = ServerSettings.read(settings); // before any plugin opens a pool
        PluginRegistry plugins = new PluginLoader(Main.class.getModule().getLayer() == null
                ? ModuleLayer.boot() : Main.class.getModule().getLayer(), List.of(BodyCodecProvider.class))
                .load(pluginsDirs);
        XspctService service = XspctService.create(settings, plugins);
        try {
            return XspctServer.start(service, server);
        } catch (RuntimeException e) {
            service.close();
            throw e;
        }
    }
}
