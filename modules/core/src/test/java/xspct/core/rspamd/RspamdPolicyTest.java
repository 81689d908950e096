package xspct.core.rspamd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static xspct.core.rspamd.RspamdRulesTest.user;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import xspct.core.codec.JsonCodec;
import xspct.core.config.ConfigException;
import xspct.core.config.ConfigFile;
import xspct.core.config.YamlNode;

class RspamdPolicyTest {

    static RspamdPolicy policy(String yaml) {
        YamlNode root = ConfigFile.parse("test", yaml);
        RspamdPolicy p = RspamdPolicy.read(root);
        root.problems().throwIfAny("test");
        return p;
    }

    private static final RspamdPolicy DEFAULTS = policy("a: 1");

    private static Map<String, Map<String, Object>> users(Object... kv) {
        Map<String, Map<String, Object>> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            @SuppressWarnings("unchecked")
            Map<String, Object> u = (Map<String, Object>) kv[i + 1];
            m.put((String) kv[i], u);
        }
        return m;
    }

    private static String json(Object o) {
        return new String(JsonCodec.write(o), StandardCharsets.UTF_8);
    }

    @Test
    void emptyRequestHasTheOriginalShape() {
        assertEquals("{\"actions\": {}, \"flags\": [], \"groups_disabled\": [], \"symbols_disabled\": [], "
                + "\"symbols\": [], \"settings_data\": {}, \"settings_error\": []}",
                json(DEFAULTS.settings(Map.of(), Map.of(), List.of())));
    }

    @Test
    void specExampleWithReject() {
        var u = users("alice@ex.de", user("mail", List.of("alice@ex.de"), "aliases", List.of("a@ex.de"),
                "greylisting", List.of("FALSE"), "reject_level", List.of("5")));
        Map<String, Object> s = DEFAULTS.settings(u, Map.of("a@ex.de", "alice@ex.de", "alice@ex.de", "alice@ex.de"),
                List.of("alice@ex.de"));
        assertEquals("{\"actions\": {\"greylist\": \"null\", \"reject\": 13.0}, \"flags\": [], "
                + "\"groups_disabled\": [], \"symbols_disabled\": [\"GREYLIST_CHECK\", \"GREYLIST_SAVE\", "
                + "\"GREYLIST\"], \"symbols\": {\"SETTINGS_GREYLIST_DISABLED\": 0.0}, \"settings_data\": {\"users\": "
                + "{\"alice@ex.de\": {\"mail\": [\"alice@ex.de\"], \"aliases\": [\"a@ex.de\"], \"greylisting\": "
                + "[\"FALSE\"], \"reject_level\": [\"5\"]}}, \"aliases\": {\"a@ex.de\": \"alice@ex.de\"}, "
                + "\"profile\": {\"applied_rules\": [\"disable_greylisting\", \"reject(13)\"]}}, "
                + "\"settings_error\": []}", json(s));
    }

    private static Optional<Number> reject(RspamdPolicy p, Object... levels) {
        List<Map<String, Object>> rs = new java.util.ArrayList<>();
        for (Object l : levels) {
            rs.add(l == null ? user() : user("reject_level", l));
        }
        return p.rejectLevels().rejectFor(rs);
    }

    @Test
    void rejectLevels() {
        assertEquals(Optional.of(13L), reject(DEFAULTS, List.of("5")));
        assertEquals(Optional.of(13L), reject(DEFAULTS, List.of("5"), "6.31")); // all mapped: minimum
        assertEquals(Optional.of(17L), reject(DEFAULTS, "6.31"));
        assertEquals(Optional.empty(), reject(DEFAULTS, List.of("6"))); // equal to the default
        assertEquals(Optional.empty(), reject(DEFAULTS, List.of("5"), List.of("7"))); // one unmapped
        assertEquals(Optional.empty(), reject(DEFAULTS, List.of("5"), null)); // one without a level
        assertEquals(Optional.empty(), reject(DEFAULTS, List.of("5"), "")); // one empty
        assertEquals(Optional.empty(), reject(DEFAULTS, List.of("5"), List.of())); // one empty list
        assertEquals(Optional.of(13L), reject(DEFAULTS, 5L)); // str(5) == "5"
        assertEquals(Optional.empty(), reject(DEFAULTS)); // no recipients
        assertEquals(Optional.empty(), reject(DEFAULTS, 5.0)); // str(5.0) == "5.0", unmapped
    }

    @Test
    void rejectLevelKeysAreStrings() {
        RspamdPolicy p = policy("""
                xspct_db_reject_level_map: {5: 3, "7": 9.5, "8": 15}
                xspct_db_reject_level_default: "15"
                """);
        assertEquals(Map.of("7", 9.5, "8", 15L), p.rejectLevels().levels()); // unquoted 5 never matches
        assertEquals(Optional.empty(), reject(p, "5"));
        assertEquals(Optional.of(9.5), reject(p, "7", "8"));
        assertEquals(Optional.empty(), reject(p, "8"));
        Map<String, Object> s = p.settings(users("x", user("reject_level", "7", "greylisting", "TRUE")), Map.of(),
                List.of("x"));
        assertEquals(Map.of("reject", 9.5), s.get("actions")); // greylisting TRUE: default rule does not fire
        assertEquals(List.of("reject(9.5)"), ((Map<?, ?>) ((Map<?, ?>) s.get("settings_data")).get("profile"))
                .get("applied_rules"));
        assertThrows(ConfigException.class, () -> policy("xspct_db_reject_level_map: {\"5\": high}"));
    }

    @Test
    void rejectOverridesARuleSetRejectAndFiresWithoutRules() {
        RspamdPolicy p = policy("""
                xspct_db_rspamd_rules:
                  - name: strict
                    condition: {attribute: strict, operator: present}
                    apply: {actions: {reject: 5, "add header": 3}}
                """);
        var s = p.settings(users("x", user("strict", List.of("y"), "reject_level", List.of("6.31"))), Map.of(),
                List.of("x"));
        assertEquals("{\"reject\": 17.0, \"add header\": 3.0}", json(s.get("actions")));
    }

    @Test
    void rulesMergeInOrderAndOmitEmptyOptionalFields() {
        RspamdPolicy p = policy("""
                xspct_db_rspamd_rules:
                  - name: one
                    condition: {attribute: a, operator: truthy}
                    apply: {symbols_disabled: [X, Y], groups_enabled: [g1], actions: {reject: 10}, subject: ""}
                  - name: two
                    condition: {attribute: a, operator: truthy}
                    apply: {symbols_disabled: [Y, Z], symbols_enabled: [E], actions: {reject: 12}, subject: "s1",
                            symbols: {S: 2}}
                  - name: three
                    condition: {attribute: a, operator: truthy}
                    apply: {subject: "s2"}
                  - name: never
                    condition: {attribute: a, operator: falsy}
                    apply: {groups_disabled: [nope]}
                """);
        var s = p.settings(users("x", user("a", List.of("1"))), Map.of(), List.of("x"));
        assertEquals(List.of("actions", "flags", "groups_disabled", "groups_enabled", "symbols_disabled",
                "symbols_enabled", "symbols", "subject", "settings_data", "settings_error"),
                List.copyOf(s.keySet()));
        assertEquals(List.of("X", "Y", "Z"), s.get("symbols_disabled"));
        assertEquals(Map.of("reject", 12.0), s.get("actions"));
        assertEquals("s1", s.get("subject"));
        assertEquals(Map.of("S", 2.0), s.get("symbols"));
        assertEquals(List.of(), s.get("groups_disabled"));
    }

    @Test
    void onlyRecipientsFeedTheRulesAndUnknownRecipientsDoNotBlockAll() {
        var u = users("sender@ex.de", user("greylisting", List.of("TRUE")),
                "bob@ex.de", user("greylisting", List.of("FALSE")));
        // sender has greylisting on but is not a recipient; the unknown recipient is simply absent
        var s = DEFAULTS.settings(u, Map.of(), List.of("bob@ex.de", "unknown@ex.de"));
        assertEquals(List.of("GREYLIST_CHECK", "GREYLIST_SAVE", "GREYLIST"), s.get("symbols_disabled"));
        // no recipient objects: no rule, but settings_data lists the sender with an empty profile
        var none = DEFAULTS.settings(users("sender@ex.de", user("greylisting", List.of("FALSE"))), Map.of(),
                List.of("unknown@ex.de"));
        assertEquals(List.of(), none.get("symbols_disabled"));
        assertEquals("{\"users\": {\"sender@ex.de\": {\"greylisting\": [\"FALSE\"]}}, \"aliases\": {}, \"profile\": "
                + "{\"applied_rules\": []}}", json(none.get("settings_data")));
    }

    @Test
    void aliasMapFromFieldsThenU2p() {
        RspamdPolicy p = policy("xspct_db_rspamd_alias_fields: [aliases, mail]");
        var u = users("alice", user("mail", List.of("alice@ex.de"), "aliases", List.of("a@ex.de", "alice")));
        Map<String, String> u2p = new LinkedHashMap<>();
        u2p.put("A@EX.DE", "alice");
        u2p.put("a@ex.de", "other"); // never overrides a field alias
        u2p.put("alice", "alice"); // address == pk: skipped
        u2p.put("ghost@ex.de", "ghost"); // pk not in users: skipped
        var s = p.settings(u, u2p, List.of());
        @SuppressWarnings("unchecked")
        Map<String, Object> data = (Map<String, Object>) s.get("settings_data");
        assertEquals("{\"a@ex.de\": \"alice\", \"alice@ex.de\": \"alice\", \"A@EX.DE\": \"alice\"}",
                json(data.get("aliases")));
        assertFalse(data.containsKey("ghost"));
        assertTrue(s.get("symbols") instanceof List<?>);
    }
}
