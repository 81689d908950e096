package xspct.api.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import xspct.api.ConfigNode;

class MapConfigNodeTest {

    @Test
    void readsValuesAsTheConfigurationFileDoes() {
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("port", "11350");
        section.put("enabled", "yes");
        section.put("ratio", 2);
        section.put("hosts", "a.example");
        section.put("empty", null);
        ConfigNode q = MapConfigNode.of(Map.of("q", section)).get("q");
        assertEquals(11350, q.get("port").asInt(0));
        assertTrue(q.get("enabled").asBoolean(false));
        assertEquals(2.0, q.get("ratio").asDouble(0));
        assertEquals(List.of("a.example"), q.get("hosts").asStringList(List.of()));
        assertTrue(q.get("empty").exists());
        assertTrue(q.get("empty").isNull());
        assertFalse(q.get("absent").exists());
        assertEquals("fallback", q.get("absent").asString("fallback"));
        assertEquals(List.of("port", "enabled", "ratio", "hosts", "empty"), List.copyOf(q.map().keySet()));
        assertEquals("q.port", q.get("port").path());
    }

    @Test
    void collectsProblemsAndWarningsWithTheirKeyPath() {
        MapConfigNode root = MapConfigNode.of(Map.of("q", Map.of("size", "big", "list", List.of("x", 3))));
        ConfigNode q = root.get("q");
        assertEquals(7, q.get("size").asInt(7));
        q.get("server").requireString();
        q.get("list").list().get(1).warning("not a string: read as '3'");
        assertEquals(List.of("q.size: must be an integer, not 'big'", "q.server: is required"), root.problems());
        assertEquals(List.of("q.list[1]: not a string: read as '3'"), root.warnings());
    }
}
