package xspct.server;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Makes a signal end the JVM with exit code 0 (after the shutdown hooks), instead of 128 + the signal number that
 * service managers report as a failure. The JDK has no public signal API; {@code sun.misc.Signal} (module
 * {@code jdk.unsupported}) is the supported way, looked up at start so that the build does not warn about an
 * internal API on every compile. Runs once at start, never on a request.
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
            Class<?> signalType = Class.forName("sun.misc.Signal");
            Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
            Object handler = Proxy.newProxyInstance(SignalExit.class.getClassLoader(), new Class<?>[] {handlerType},
                    SignalExit::invoke);
            Object sig = signalType.getConstructor(String.class).newInstance(signal);
            signalType.getMethod("handle", signalType, handlerType).invoke(null, sig, handler);
        } catch (InvocationTargetException e) {
            // signal reserved by the JVM (e.g. with -Xrs): keep the default behaviour
            LOG.log(System.Logger.Level.DEBUG, () -> "SIG" + signal + " keeps the JVM's handling: " + e.getCause());
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "SIG" + signal + " keeps the JVM's handling: " + e);
        }
    }

    private static Object invoke(Object proxy, Method method, Object[] args) {
        return switch (method.getName()) {
            case "handle" -> {
                System.exit(0);
                yield null;
            }
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            default -> "SignalExit";
        };
    }
}
