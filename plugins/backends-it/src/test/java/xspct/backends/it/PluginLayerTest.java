package xspct.backends.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;

/**
 * The assembled plugin directories (target/plugin/ldap, target/plugin/mysql) load as child module layers the way
 * the core's plugin loader builds them: every module of the directory a root, the API in the parent layer, the JDK
 * modules from the boot layer. The MySQL directory really connects (driver, protobuf, HikariCP, SLF4J binding).
 */
// resources held for their effect
@SuppressWarnings("try")
class PluginLayerTest {
    private static Path repo() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("plugins/pom.xml"))) {
            dir = dir.getParent();
        }
        return dir;
    }

    private static Path required(Path p) {
        if (!Files.exists(p)) {
            String msg = p + " is missing: build with 'mvn -pl plugins/backends-it -am verify' so that the plugin "
                    + "directories are assembled before this test";
            if ("true".equals(System.getenv("CI"))) {
                fail(msg);
            }
            assumeTrue(false, msg);
        }
        return p;
    }

    private static ModuleLayer apiLayer() {
        Path api = required(repo().resolve("modules/api/target/xspct-api-0.1.0.jar"));
        Configuration cfg = ModuleLayer.boot().configuration().resolve(ModuleFinder.of(api), ModuleFinder.of(),
                Set.of("xspct.api"));
        return ModuleLayer.boot().defineModulesWithOneLoader(cfg, ClassLoader.getPlatformClassLoader());
    }

    private static ModuleLayer pluginLayer(ModuleLayer parent, Path dir) {
        ModuleFinder finder = ModuleFinder.of(dir);
        Set<String> roots = finder.findAll().stream().map(ModuleReference::descriptor)
                .map(java.lang.module.ModuleDescriptor::name).collect(Collectors.toSet());
        Configuration cfg = parent.configuration().resolve(finder, ModuleFinder.of(), roots);
        return parent.defineModulesWithOneLoader(cfg, ClassLoader.getPlatformClassLoader());
    }

    private static List<String> dbTypes(ModuleLayer api, ModuleLayer plugin) throws Exception {
        Class<?> spi = api.findLoader("xspct.api").loadClass("xspct.api.BackendProvider");
        return ServiceLoader.load(plugin, spi).stream().map(p -> {
            try {
                return (String) spi.getMethod("dbType").invoke(p.get());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }

    @Test
    void ldapPluginDirectoryLoads() throws Exception {
        ModuleLayer api = apiLayer();
        ModuleLayer ldap = pluginLayer(api, required(repo().resolve("plugins/backend-ldap/target/plugin/ldap")));
        assertEquals(List.of("ldap"), dbTypes(api, ldap));
        assertTrue(ldap.findModule("unboundid.ldapsdk").isPresent());
    }

    @Test
    void mysqlPluginDirectoryLoadsAndConnects() throws Exception {
        ModuleLayer api = apiLayer();
        ModuleLayer mysql = pluginLayer(api, required(repo().resolve("plugins/backend-mysql/target/plugin/mysql")));
        assertEquals(List.of("mysql"), dbTypes(api, mysql));
        ClassLoader cl = mysql.findLoader("xspct.backend.mysql");

        // HikariCP's logging reaches java.util.logging through the bundled binding
        Object factory = cl.loadClass("org.slf4j.LoggerFactory").getMethod("getILoggerFactory").invoke(null);
        assertEquals("org.slf4j.jul.JDK14LoggerFactory", factory.getClass().getName());

        try (ExampleDatabase ignored = Services.database(0)) {
            Object driver = cl.loadClass("com.mysql.cj.jdbc.MysqlDataSource").getConstructor().newInstance();
            driver.getClass().getMethod("setURL", String.class).invoke(driver,
                    "jdbc:mysql://127.0.0.1:3306/test?user=root&password=");
            Class<?> configType = cl.loadClass("com.zaxxer.hikari.HikariConfig");
            Object config = configType.getConstructor().newInstance();
            configType.getMethod("setDataSource", DataSource.class).invoke(config, driver);
            configType.getMethod("setMaximumPoolSize", int.class).invoke(config, 1);
            Class<?> poolType = cl.loadClass("com.zaxxer.hikari.HikariDataSource");
            try (AutoCloseable pool = (AutoCloseable) poolType.getConstructor(configType).newInstance(config);
                 Connection c = ((DataSource) pool).getConnection()) {
                assertTrue(c.isValid(5));
                // the protocol buffers runtime the driver needs for X DevAPI classes resolves in the layer
                assertEquals(mysql.findModule("com.google.protobuf").orElseThrow().getClassLoader(),
                        cl.loadClass("com.google.protobuf.Message").getClassLoader());
            }
        }
    }
}
