package xspct.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

    private static Settings read(String yaml) {
        return Settings.read(ConfigFile.parse("t.yml", yaml));
    }

    @Test
    void emptyFileMeansAllDefaults() {
        Settings s = read("");
        assertEquals(List.of("127.0.0.1", "::1"), s.listenAddresses());
        assertEquals(11350, s.listenPort());
        assertEquals(256, s.listenBacklog());
        assertEquals(30, s.logLevel());
        assertEquals("X-Api-Key", s.apiHeader());
        assertEquals(List.of("changeme"), s.apiKeys());
        assertTrue(s.apiKeyVerifyFail());
        assertEquals(1048576, s.clientMaxSize());
        assertEquals(500, s.queryJsonMaxUsers());
        assertEquals(10, s.section(Settings.RESPONSE_CACHE).get("expire").asInt(0));
        assertEquals(Map.of(), s.section("xspct_db_redis_cache").map(), "a plugin's section: its defaults are "
                + "the plugin's (RedisCacheSettingsTest, CaffeineTierTest)");
    }

    @Test
    void acceptsWhatTheOriginalAccepts() {
        Settings s = read("""
                xspct_db_listen_port: "11351"
                xspct_db_listen_address: 0.0.0.0
                xspct_db_api_key: single
                xspct_db_local_cache: {expire: 5}
                some_unknown_key: kept
                """);
        assertEquals(11351, s.listenPort());
        assertEquals(List.of("0.0.0.0"), s.listenAddresses());
        assertEquals(List.of("single"), s.apiKeys());
        assertEquals(5, s.section("xspct_db_local_cache").get("expire").asInt(0));
    }

    @Test
    void refusesThePlaceholderKeyOfThePackagedConfiguration() {
        ConfigException e = assertThrows(ConfigException.class, () -> read("""
                xspct_db_api_key: [other, REPLACE-WITH-YOUR-OWN-KEY]
                """));
        assertTrue(e.getMessage().contains("xspct_db_api_key: is still the placeholder REPLACE-WITH-YOUR-OWN-KEY"),
                e.getMessage());
        assertEquals(List.of("mine"), read("xspct_db_api_key: mine").apiKeys());
    }

    @Test
    void reportsEveryProblemWithItsKeyPath() {
        ConfigException e = assertThrows(ConfigException.class, () -> read("""
                xspct_db_listen_port: abc
                xspct_db_listen_backlog: -1
                xspct_db_api_key_verify_fail: maybe
                xspct_db_value_split: {aliases: ''}
                """));
        assertEquals(4, e.problems().size(), e.getMessage());
        assertTrue(e.getMessage().contains("xspct_db_listen_port: must be a number, got 'abc'"), e.getMessage());
        assertTrue(e.getMessage().contains("xspct_db_listen_backlog"), e.getMessage());
        assertTrue(e.getMessage().contains("xspct_db_api_key_verify_fail"), e.getMessage());
        assertTrue(e.getMessage().contains("xspct_db_value_split.aliases"), e.getMessage());
    }

    @Test
    void malformedYamlNamesTheLine() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigFile.parse("bad.yml", "a: [1, 2\nb: c\n"));
        assertTrue(e.getMessage().startsWith("invalid configuration bad.yml:"), e.getMessage());
        assertTrue(e.getMessage().contains("malformed YAML at line"), e.getMessage());
    }

    @Test
    void missingFileIsNamed(@TempDir Path dir) {
        Path missing = dir.resolve("nope.yml");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigFile.load(missing));
        assertTrue(e.getMessage().contains("Config file not found: " + missing), e.getMessage());
    }

    @Test
    void queriesKeepFileOrderAndYamlTypes(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("c.yml");
        Files.writeString(f, """
                xspct_db_key_translation: {uid: login}
                xspct_db_queries:
                  zeta: {db_type: yaml, attr_list: ['*']}
                  alpha: {db_type: yaml, attr_list: [mail], key_translation: {}}
                xspct_db_yaml_data:
                  zeta:
                    a.b@ex.de: {active: yes, n: 5}
                """);
        Settings s = ConfigFile.load(f);
        assertEquals(List.of("zeta", "alpha"), s.queries().stream().map(QuerySettings::name).toList());
        assertTrue(s.queries().get(0).attrList().isEmpty(), "'*' keeps every attribute");
        assertEquals(List.of("mail"), s.queries().get(1).attrList().orElseThrow());
        assertEquals("login", s.queries().get(0).keyTranslation().get("uid"));
        assertFalse(s.queries().get(1).keyTranslation().containsKey("uid"), "a query map replaces the global one");
        var entry = s.root().get("xspct_db_yaml_data").get("zeta").get("a.b@ex.de");
        assertEquals(Boolean.TRUE, entry.get("active").raw(), "YAML 1.1 yes is a boolean");
        assertEquals(5, ((Number) entry.get("n").raw()).intValue());
    }
}
