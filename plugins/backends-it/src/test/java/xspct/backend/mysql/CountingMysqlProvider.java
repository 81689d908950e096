package xspct.backend.mysql;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import xspct.api.Backend;
import xspct.api.BackendProvider;
import xspct.api.QueryContext;

/**
 * The {@code mysql} provider with every statement counted (a backend round trip), for the pipeline tests and the
 * benchmark. Lives in the plugin's package to reach its package-private factory (tests run on the class path).
 */
public final class CountingMysqlProvider implements BackendProvider {
    private final AtomicInteger statements = new AtomicInteger();

    @Override
    public String dbType() {
        return "mysql";
    }

    @Override
    public Backend create(QueryContext context) {
        return MysqlBackend.create(context, this::counting);
    }

    /** {@return statements prepared so far, over every query of this provider} */
    public int statements() {
        return statements.get();
    }

    private DataSource counting(DataSource ds) {
        ClassLoader cl = CountingMysqlProvider.class.getClassLoader();
        return (DataSource) Proxy.newProxyInstance(cl, new Class<?>[] {DataSource.class}, (proxy, m, args) -> {
            Object r = invoke(ds, m, args);
            if (r instanceof Connection conn) {
                return Proxy.newProxyInstance(cl, new Class<?>[] {Connection.class}, (p2, m2, a2) -> {
                    if (m2.getName().equals("prepareStatement") || m2.getName().equals("createStatement")) {
                        statements.incrementAndGet();
                    }
                    return invoke(conn, m2, a2);
                });
            }
            return r;
        });
    }

    private static Object invoke(Object target, java.lang.reflect.Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
