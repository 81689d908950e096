package xspct.backend.mysql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import xspct.api.LookupRequest;

class SqlTemplateTest {
    private static final Map<String, String> REPLACE = new LinkedHashMap<>(Map.of("%u", "address", "%d", "domain",
            "%l", "userpart"));
    private static final LookupRequest ALICE = LookupRequest.forAddress("al_ice@ex.de");

    private static List<String> bound(SqlTemplate t) {
        return t.params().stream().map(p -> p.value(ALICE, true)).toList();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            SELECT * FROM u WHERE mail = '%u'                  | SELECT * FROM u WHERE (mail = ?)                    | al_ice@ex.de
            SELECT * FROM u WHERE mail = %u                    | SELECT * FROM u WHERE (mail = ?)                    | al_ice@ex.de
            SELECT * FROM u WHERE mail = "@%d"                 | SELECT * FROM u WHERE (mail = ?)                    | @ex.de
            SELECT * FROM u WHERE mail LIKE '%%@%d'            | SELECT * FROM u WHERE (mail LIKE ?)                 | %@ex.de
            SELECT * FROM u WHERE mail LIKE %u                 | SELECT * FROM u WHERE (mail LIKE ?)                 | al\\_ice@ex.de
            SELECT * FROM u WHERE mail LIKE '%l%%'             | SELECT * FROM u WHERE (mail LIKE ?)                 | al\\_ice%
            SELECT * FROM u WHERE mail = '%l@%d'               | SELECT * FROM u WHERE (mail = ?)                    | al_ice@ex.de
            SELECT * FROM u WHERE mail = '%u' ORDER BY prio;   | SELECT * FROM u WHERE (mail = ?) ORDER BY prio      | al_ice@ex.de
            SELECT * FROM u WHERE (a = %u) LIMIT 3             | SELECT * FROM u WHERE ((a = ?)) LIMIT 3             | al_ice@ex.de
            """)
    void placeholderForms(String query, String sql, String param) {
        SqlTemplate t = SqlTemplate.compile(query, REPLACE);
        assertEquals(sql, t.sql(1));
        assertEquals(List.of(param), bound(t));
    }

    @Test
    void earlierLiteralsAreNotSwallowedAndOrderIsPositional() {
        SqlTemplate t = SqlTemplate.compile(
                "SELECT * FROM u WHERE status = 'a''b' AND (x = %u OR y = '%d' OR z = %u) AND n <> '100%%'", REPLACE);
        assertEquals("SELECT * FROM u WHERE (status = 'a''b' AND (x = ? OR y = ? OR z = ?) AND n <> '100%')",
                t.sql(1));
        assertEquals(List.of("al_ice@ex.de", "ex.de", "al_ice@ex.de"), bound(t));
    }

    @Test
    void conditionIsRepeatedAndTailKept() {
        SqlTemplate t = SqlTemplate.compile("select a from t where a = %u or b = '@%d' group by a order by a limit 9",
                REPLACE);
        assertEquals("select a from t where (a = ? or b = ?) OR (a = ? or b = ?) group by a order by a limit 9"
                .replace("where", "WHERE"), t.sql(2));
    }

    @Test
    void quotesCommentsAndIdentifiersAreNotScannedForKeywordsOrPlaceholders() {
        SqlTemplate t = SqlTemplate.compile("SELECT `order`, 'where' AS w FROM t /* where */ -- where %u\n"
                + "WHERE `limit` = %u AND c = 'it''s \\' %d'", REPLACE);
        assertTrue(t.sql(1).startsWith("SELECT `order`, 'where' AS w FROM t /* where */ -- where %u\nWHERE ("),
                t.sql(1));
        assertEquals(List.of("al_ice@ex.de", "it's ' ex.de"), bound(t));
    }

    @Test
    void subqueryWhereDoesNotSplit() {
        SqlTemplate t = SqlTemplate.compile("SELECT * FROM (SELECT * FROM u WHERE active = 1) x WHERE mail = %u",
                REPLACE);
        assertEquals("SELECT * FROM (SELECT * FROM u WHERE active = 1) x WHERE (mail = ?)", t.sql(1));
    }

    @Test
    void templatesThatCannotBeBatchedAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> SqlTemplate.compile("SELECT '%u' FROM t", REPLACE));
        assertThrows(IllegalArgumentException.class,
                () -> SqlTemplate.compile("SELECT '%u' AS q FROM t WHERE a = %u", REPLACE));
        assertThrows(IllegalArgumentException.class,
                () -> SqlTemplate.compile("SELECT * FROM t WHERE a = 'unterminated %u", REPLACE));
        SqlTemplate all = SqlTemplate.compile("SELECT * FROM t", REPLACE);
        assertFalse(all.hasWhere());
        assertEquals("SELECT * FROM t", all.sql(3));
    }

    @Test
    void likeEscaping() {
        assertEquals("a\\%b\\_c\\\\d", SqlTemplate.escapeLike("a%b_c\\d"));
    }
}
