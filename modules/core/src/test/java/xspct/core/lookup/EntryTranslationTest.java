package xspct.core.lookup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static xspct.core.lookup.TestService.user;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import xspct.core.config.ConfigFile;
import xspct.core.config.QuerySettings;
import xspct.core.config.Settings;

class EntryTranslationTest {

    private static QuerySettings query(String yaml) {
        return Settings.read(ConfigFile.parse("t", yaml)).queries().get(0);
    }

    @Test
    void splitsTranslatesAndFindsThePrimaryKey() throws Exception {
        QuerySettings q = query("""
                xspct_db_value_split: {aliases: ","}
                xspct_db_key_translation: {mailAlternate: aliases}
                xspct_db_queries: {q: {db_type: x}}
                """);
        var t = EntryTranslation.translate(user("mail", "a@x", "aliases", "b@x,,c@x, d@x",
                "mailAlternate", List.of("e@x"), "active", true, "n", 7, "none", null,
                "m", Map.of("k", 1)), q, null);
        assertEquals("a@x", t.pk());
        assertEquals(List.of("b@x", "", "c@x", " d@x", "e@x"), t.user().get("aliases"));
        assertEquals(List.of("True"), t.user().get("active"));
        assertEquals(List.of("7"), t.user().get("n"));
        assertEquals(List.of(), t.user().get("none"));
        assertEquals(List.of("k"), t.user().get("m"));
    }

    @Test
    void attrListFiltersAndEmptyListFails() throws Exception {
        QuerySettings q = query("xspct_db_queries: {q: {db_type: x, attr_list: [uid], primary_key: uid}}");
        var t = EntryTranslation.translate(user("mail", "a@x", "uid", "alice"), q, null);
        assertEquals(Map.of("uid", List.of("alice")), t.user());
        assertEquals("alice", t.pk());
        QuerySettings empty = query("xspct_db_queries: {q: {db_type: x, attr_list: []}}");
        assertThrows(EntryTranslation.TranslationException.class,
                () -> EntryTranslation.translate(user("mail", "a@x"), empty, null));
    }

    @Test
    void listElementsKeepTheirTypeAndMissingPkIsNull() throws Exception {
        QuerySettings q = query("xspct_db_queries: {q: {db_type: x}}");
        var t = EntryTranslation.translate(user("ids", List.of(1, 2)), q, null);
        assertEquals(List.of(1, 2), t.user().get("ids"));
        assertNull(t.pk());
        assertEquals("forced", EntryTranslation.translate(user("mail", "a@x"), q, "forced").pk());
    }

    @Test
    void mergeFollowsTheOriginalsTable() {
        Map<String, Object> a = new java.util.LinkedHashMap<>(user("l", new ArrayList<>(List.of("a")),
                "s", "x", "same", List.of("m"), "m", new java.util.LinkedHashMap<>(user("k", "v"))));
        UserMerge.into(a, user("l", List.of("a", "b"), "s", "y", "same", List.of("m"), "m", user("k2", "v2"),
                "new", "n"));
        assertEquals(List.of("a", "a", "b"), a.get("l"));
        assertEquals(List.of("x", "y"), a.get("s"));
        assertEquals(List.of("m"), a.get("same"));
        assertEquals(user("k", "v", "k2", "v2"), a.get("m"));
        assertEquals("n", a.get("new"));
        Map<String, Object> b = new java.util.LinkedHashMap<>(user("s", "x"));
        UserMerge.into(b, user("s", List.of("y", "z")));
        assertEquals(List.of("x", "y", "z"), b.get("s"));
    }
}
