package xspct.core.plugin;

import java.nio.file.Path;
import java.util.List;

/**
 * A plugin directory resolved into its own module layer.
 *
 * @param name      the directory name
 * @param directory the directory
 * @param version   the version of the plugin's providing module ({@code ?} when it declares none)
 * @param provides  what it provides, e.g. {@code backend:<db_type>}, {@code cache:<name>}
 * @param layer     the module layer
 */
public record LoadedPlugin(String name, Path directory, String version, List<String> provides, ModuleLayer layer) {
}
