package xspct.server;

import java.io.File;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import xspct.core.XspctService;
import xspct.core.config.ConfigException;
import xspct.core.config.Problems;
import xspct.core.config.Settings;
import xspct.core.plugin.PluginException;

/**
 * Starts xspct-db: {@code xspct-db [--strict] CONFIG}, or checks a configuration: {@code xspct-db --check CONFIG}.
 *
 * <p>Start exit codes: 0 after a clean shutdown, 1 for a usage error, 2 when the configuration or a plugin cannot
 * be used (the message says which key or plugin; with {@code --strict} also when there are warnings), 3 when the
 * server cannot start. {@code --check} exits 0 when there is nothing to report, 1 when there are only warnings,
 * 2 when there are errors (or its arguments are wrong).
 */
public final class Main {
    /**
     * System property naming the plugin directories, separated by the path separator ({@code :}); the launcher
     * sets it to the shipped {@code plugins/} and, when present, the administrator's {@code plugins.d/}.
     */
    public static final String PLUGINS_PROPERTY = "xspct.plugins";
    private static final String LOG_MANAGER_PROPERTY = "java.util.logging.manager";
    private static final String USAGE = "usage: xspct-db [--strict] CONFIG.yml | xspct-db --check CONFIG.yml";

    private Main() {
    }

    /** The command line: the configuration file and the two flags. */
    private record Arguments(Path config, boolean check, boolean strict) {
        static Arguments parse(String[] args) {
            boolean check = false;
            boolean strict = false;
            Path config = null;
            for (String a : args) {
                switch (a) {
                    case "--check" -> check = true;
                    case "--strict" -> strict = true;
                    default -> {
                        if (a.isBlank() || a.startsWith("--") || config != null) {
                            return null;
                        }
                        config = Path.of(a);
                    }
                }
            }
            return config == null ? null : new Arguments(config, check, strict);
        }
    }

    /**
     * Entry point.
     *
     * @param args {@code [--strict] CONFIG} or {@code --check CONFIG}
     */
    public static void main(String[] args) {
        // must happen before anything touches java.util.logging (see ServerLogManager)
        if (System.getProperty(LOG_MANAGER_PROPERTY) == null) {
            System.setProperty(LOG_MANAGER_PROPERTY, ServerLogManager.class.getName());
        }
        Arguments a = Arguments.parse(args);
        if (a == null) {
            System.err.println(USAGE);
            // a service manager running --check treats 1 as "warnings only": a wrong call must not pass
            System.exit(java.util.Arrays.asList(args).contains("--check") ? 2 : 1);
        }
        LogSetup.install(30, "Xspct_DB");
        List<Path> pluginsDirs = pluginDirectories(System.getProperty(PLUGINS_PROPERTY, "plugins"));
        if (a.check()) {
            System.exit(check(a.config(), pluginsDirs, System.out));
            return;
        }
        // the hook and the signal handlers come before the listener opens: a stop that arrives as soon as the server
        // answers (or while it starts) still ends with exit 0 and a closed service
        AtomicReference<XspctServer> running = new AtomicReference<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            XspctServer s = running.get();
            if (s != null) {
                s.stop();
            }
            if (java.util.logging.LogManager.getLogManager() instanceof ServerLogManager m) {
                m.finalReset();
            }
        }, "xspct-shutdown"));
        // a stop requested by a signal is the normal way to end the service: exit 0
        SignalExit.on("TERM");
        SignalExit.on("INT");
        XspctServer server;
        try {
            server = start(a.config(), pluginsDirs, a.strict());
        } catch (ConfigException e) {
            // problems found after parsing (service, front end) do not know the file: name it here
            System.err.println("xspct-db: " + new ConfigException(a.config().toString(), e.problems()).getMessage());
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
        running.set(server);
    }

    /** The plugin directories named by the {@link #PLUGINS_PROPERTY} value, empty entries left out. */
    static List<Path> pluginDirectories(String property) {
        return Arrays.stream(property.split(File.pathSeparator))
                .filter(s -> !s.isBlank()).map(Path::of).toList();
    }

    /**
     * {@code --check}: reads the configuration and loads the plugins exactly as a start does, without listening or
     * contacting a backend, and prints every problem, one per line ({@code ERROR key: ...} or
     * {@code WARNING key: ...}).
     *
     * @param config      the configuration file
     * @param pluginsDirs the plugin directories, in order
     * @param out         where the lines go
     * @return 0 when there is nothing to report, 1 when there are only warnings, 2 when there are errors
     */
    static int check(Path config, List<Path> pluginsDirs, PrintStream out) {
        StartupConfig c;
        try {
            c = StartupConfig.read(config, pluginsDirs, s -> { });
        } catch (ConfigException e) {
            e.problems().forEach(p -> out.println(Problems.Severity.ERROR + " " + config + ": " + p));
            return 2;
        } catch (PluginException e) {
            // the message names the plugin directory at fault
            out.println(Problems.Severity.ERROR + " " + e.getMessage());
            return 2;
        }
        Problems problems = c.problems();
        problems.all().forEach(p -> out.println(p.line()));
        out.flush();
        return !problems.isEmpty() ? 2 : problems.warnings().isEmpty() ? 0 : 1;
    }

    /**
     * Loads the configuration and plugins and starts the server.
     *
     * @param config      the configuration file
     * @param pluginsDirs the plugin directories, in order
     * @return the running server
     * @throws ConfigException      for configuration problems
     * @throws PluginException      for plugins that cannot be loaded
     * @throws ServerStartException when no listener can be opened
     */
    public static XspctServer start(Path config, List<Path> pluginsDirs) {
        return start(config, pluginsDirs, false);
    }

    /**
     * Loads the configuration and plugins and starts the server. Warnings (what the original tolerates) are
     * logged, one line each; errors stop the start, listed together.
     *
     * @param config      the configuration file
     * @param pluginsDirs the plugin directories, in order
     * @param strict      refuse to start when there is a warning
     * @return the running server
     * @throws ConfigException      for configuration problems (with {@code strict}, warnings too)
     * @throws PluginException      for plugins that cannot be loaded
     * @throws ServerStartException when no listener can be opened
     */
    public static XspctServer start(Path config, List<Path> pluginsDirs, boolean strict) {
        // the configured log level applies before the plugins load (their INFO lines)
        StartupConfig c = StartupConfig.read(config, pluginsDirs, s -> LogSetup.install(s.logLevel(), s.logPrefix()));
        Settings settings = c.settings();
        Problems problems = c.problems();
        Set<Problems.Problem> reported = new HashSet<>();
        configuration(problems, reported);
        problems.throwIfAny("");
        if (strict && !reported.isEmpty()) {
            throw new ConfigException("", reported.stream().map(p -> p.text() + " (a warning; refused by --strict)")
                    .sorted().toList());
        }
        XspctService service = XspctService.create(settings, c.plugins());
        configuration(problems, reported); // what plugins without a check method found while creating
        try {
            return XspctServer.start(service, c.server());
        } catch (RuntimeException e) {
            service.close();
            throw e;
        }
    }

    /** Logs each warning not logged yet; the method name is the log line's function field. */
    private static void configuration(Problems problems, Set<Problems.Problem> reported) {
        // no static logger in this class: main() must choose the log manager before logging starts
        System.Logger log = System.getLogger(Main.class.getName());
        for (Problems.Problem p : problems.warnings()) {
            if (reported.add(p)) {
                log.log(System.Logger.Level.WARNING, p.text());
            }
        }
    }
}
