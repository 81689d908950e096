package xspct.server;

import sun.misc.Signal;

/**
 * Makes a signal end the JVM with exit code 0 (after the shutdown hooks), instead of 128 + the signal number that
 * service managers report as a failure. The JDK has no public signal API; {@code sun.misc.Signal} (module
 * {@code jdk.unsupported}) is the supported way. It is used directly, and the compiler warns about an internal API:
 * looking it up by reflection would spare the warning, but the handler would then be a dynamic proxy (or a class
 * spun at run time), about 15 ms of every start. Runs once at start, never on a request.
 */
final class SignalExit {
    private static final System.Logger LOG = System.getLogger(SignalExit.class.getName());

    private SignalExit() {
    }

    /**
     * Installs the handler.
     *
     * @param signal the signal name, e.g. {@code TERM}
     */
    static void on(String signal) {
        try {
            Signal.handle(new Signal(signal), s -> System.exit(0));
        } catch (IllegalArgumentException e) {
            // an unknown signal, or one reserved by the JVM (e.g. with -Xrs): keep the default behaviour
            LOG.log(System.Logger.Level.DEBUG, () -> "SIG" + signal + " keeps the JVM's handling: " + e);
        }
    }
}
