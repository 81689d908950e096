package xspct.core.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads an xspct_db configuration file.
 *
 * <p>The file is parsed with SnakeYAML, the engine under helidon-config-yaml, keeping YAML 1.1 scalar types
 * (booleans, integers, strings) and mapping order: xspct_db configs depend on both (query order, typed rule values,
 * YAML data whose keys are addresses containing dots).
 */
public final class ConfigFile {
    private ConfigFile() {
    }

    /**
     * Loads and validates a configuration file.
     *
     * @param file the YAML file
     * @return the typed settings
     * @throws ConfigException when the file is missing, unreadable, not YAML, or has invalid values
     */
    public static Settings load(Path file) {
        return Settings.read(parse(file));
    }

    /**
     * Parses a file into its root node without validating it.
     *
     * @param file the YAML file
     * @return the root node with its problem collector
     * @throws ConfigException when the file is missing, unreadable or not YAML
     */
    public static YamlNode parse(Path file) {
        String source = file.toString();
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(source, List.of("Config file not found: " + file));
        } catch (MalformedInputException e) {
            throw new ConfigException(source, List.of("file is not valid UTF-8"));
        } catch (IOException e) {
            throw new ConfigException(source, List.of("cannot read the file: " + e.getMessage()));
        }
        return parse(source, text);
    }

    /**
     * Parses YAML text into its root node without validating it.
     *
     * @param source name of the source for messages
     * @param text   the YAML text
     * @return the root node
     * @throws ConfigException when the text is not YAML or its top level is not a mapping
     */
    public static YamlNode parse(String source, String text) {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(200);
        options.setCodePointLimit(64 * 1024 * 1024);
        Yaml yaml = new Yaml(new SafeConstructor(options));
        Object document;
        try (Reader reader = new java.io.StringReader(text)) {
            document = yaml.load(reader);
        } catch (MarkedYAMLException e) {
            String where = e.getProblemMark() == null ? "" : " at line " + (e.getProblemMark().getLine() + 1)
                    + ", column " + (e.getProblemMark().getColumn() + 1);
            throw new ConfigException(source, List.of("malformed YAML" + where + ": " + e.getProblem()));
        } catch (YAMLException | IOException e) {
            throw new ConfigException(source, List.of("malformed YAML: " + e.getMessage()));
        }
        if (document != null && !(document instanceof Map)) {
            throw new ConfigException(source, List.of("the top level must be a mapping of xspct_db_* keys"));
        }
        Problems problems = new Problems();
        return YamlNode.root(document, problems);
    }

    /**
     * Exposes the problem collector of a parsed root, for plugins created after parsing.
     *
     * @param root a root returned by {@link #parse(Path)}
     * @return its collector
     */
    public static Problems problemsOf(YamlNode root) {
        return root.problems();
    }
}
