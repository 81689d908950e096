package xspct.backend.ldap;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Captures what one logger writes through java.util.logging (the System.Logger backend). Reflective because the
 * plugin module, which the tests are compiled into, does not read java.logging.
 */
final class CapturedLog implements AutoCloseable {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Object logger;
    private final Object handler;
    private final Class<?> handlerType;

    CapturedLog(Class<?> source) throws ReflectiveOperationException {
        Class<?> loggerType = Class.forName("java.util.logging.Logger");
        handlerType = Class.forName("java.util.logging.Handler");
        logger = loggerType.getMethod("getLogger", String.class).invoke(null, source.getName());
        Object formatter = Class.forName("java.util.logging.SimpleFormatter").getConstructor().newInstance();
        handler = Class.forName("java.util.logging.StreamHandler")
                .getConstructor(OutputStream.class, Class.forName("java.util.logging.Formatter"))
                .newInstance(out, formatter);
        loggerType.getMethod("addHandler", handlerType).invoke(logger, handler);
    }

    /** {@return everything logged so far} */
    synchronized String text() {
        try {
            handlerType.getMethod("flush").invoke(handler);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws ReflectiveOperationException {
        logger.getClass().getMethod("removeHandler", handlerType).invoke(logger, handler);
    }
}
