package xspct.backends.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import xspct.api.BackendProvider;
import xspct.core.XspctService;
import xspct.core.config.ConfigFile;
import xspct.core.config.Settings;
import xspct.core.plugin.PluginRegistry;

/**
 * The worked example of docs/backends.md, taken from the document itself and pointed at the test servers.
 */
public final class WorkedExample {
    private WorkedExample() {
    }

    /** {@return the YAML block between the worked-example markers of docs/backends.md} */
    public static String documented() throws IOException {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("docs/backends.md"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IOException("docs/backends.md not found above " + Path.of("").toAbsolutePath());
        }
        String doc = Files.readString(dir.resolve("docs/backends.md"));
        int begin = doc.indexOf("<!-- worked-example:begin -->");
        int end = doc.indexOf("<!-- worked-example:end -->");
        String block = doc.substring(begin, end);
        return block.substring(block.indexOf("```yaml") + 7, block.lastIndexOf("```"));
    }

    /** The documented configuration with test hosts, credentials and table names. */
    public static String config(ExampleDirectory ldap, ExampleDatabase db) throws IOException {
        Map<String, String> replace = new LinkedHashMap<>();
        replace.put("ldap://ldap.example.org:389", ldap.url());
        replace.put("use_tls: true", "use_tls: false");
        replace.put("    ca_cert_dir: /etc/xspct-db/ca\n", "");
        replace.put("server: db.example.org", "server: 127.0.0.1");
        replace.put("user: xspct", "user: root");
        replace.put("password: \"change-me-too\"", "password: \"\"");
        replace.put("database: mail", "database: test");
        replace.put("FROM mail_policy", "FROM " + db.prefix + "policy");
        replace.put("FROM mail_domains", "FROM " + db.prefix + "domains");
        replace.put("xspct_db_listen_port: 11350", "xspct_db_listen_port: 0");
        String yaml = documented();
        for (Map.Entry<String, String> e : replace.entrySet()) {
            if (!yaml.contains(e.getKey())) {
                throw new IllegalStateException("the documented example no longer contains '" + e.getKey() + "'");
            }
            yaml = yaml.replace(e.getKey(), e.getValue());
        }
        return yaml;
    }

    /** Assembles the service as the server does, from provider instances instead of plugin directories. */
    public static XspctService service(String yaml, BackendProvider... providers) {
        Settings settings = Settings.read(ConfigFile.parse("worked-example", yaml));
        Map<String, BackendProvider> backends = new LinkedHashMap<>();
        for (BackendProvider p : providers) {
            backends.put(p.dbType(), p);
        }
        return XspctService.create(settings, new PluginRegistry(List.of(), backends, List.of(), List.of()));
    }
}
