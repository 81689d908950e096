package xspct.core.rspamd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import xspct.core.config.ConfigException;
import xspct.core.config.ConfigFile;
import xspct.core.config.YamlNode;

class RspamdRulesTest {

    static List<RspamdRule> rules(String yaml) {
        YamlNode root = ConfigFile.parse("test", yaml);
        List<RspamdRule> r = RspamdRules.read(root.get("xspct_db_rspamd_rules"));
        root.problems().throwIfAny("test");
        return r;
    }

    static Map<String, Object> user(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /** operator, attribute value (absent when "ABSENT"), condition value, default, expected. */
    static Stream<Arguments> operatorCases() {
        Object absent = "ABSENT";
        return Stream.of(
                Arguments.of("truthy", List.of("yes"), null, null, true),
                Arguments.of("truthy", List.of("0"), null, null, true), // any non-empty string
                Arguments.of("truthy", List.of("no"), null, null, true),
                Arguments.of("truthy", List.of("FALSE"), null, null, false), // LDAP-style boolean
                Arguments.of("truthy", List.of("True"), null, null, true),
                Arguments.of("truthy", List.of(""), null, null, false),
                Arguments.of("truthy", List.of(), null, true, false), // present empty list: no default
                Arguments.of("truthy", absent, null, true, true), // absent: default
                Arguments.of("truthy", null, null, true, true), // null: default
                Arguments.of("truthy", 0L, null, null, false),
                Arguments.of("truthy", 2.5, null, null, true),
                Arguments.of("truthy", "abc", null, null, true), // not a list: used as is
                Arguments.of("falsy", List.of("FALSE"), null, null, true),
                Arguments.of("falsy", List.of("false", "TRUE"), null, null, true), // first element only
                Arguments.of("falsy", absent, null, null, true),
                Arguments.of("falsy", absent, null, "TRUE", false),
                Arguments.of("eq", List.of("5"), 5L, null, false), // no coercion
                Arguments.of("eq", List.of("5"), "5", null, true),
                Arguments.of("eq", List.of("TRUE"), true, null, true),
                Arguments.of("eq", List.of("TRUE"), "TRUE", null, false), // normalised first
                Arguments.of("eq", List.of("true"), 1L, null, true), // booleans equal 1
                Arguments.of("eq", List.of(1L), 1.0, null, true),
                Arguments.of("eq", absent, null, null, true), // None == None
                Arguments.of("ne", List.of("a"), "b", null, true),
                Arguments.of("ne", List.of("FALSE"), false, null, false),
                Arguments.of("ne", List.of("FALSE"), 0L, null, false),
                Arguments.of("present", List.of("x"), null, null, true),
                Arguments.of("present", List.of(), null, "d", false),
                Arguments.of("present", absent, null, "d", true),
                Arguments.of("present", absent, null, null, false),
                Arguments.of("absent", List.of(), null, null, true),
                Arguments.of("absent", absent, null, null, true),
                Arguments.of("absent", List.of(""), null, null, false));
    }

    @ParameterizedTest(name = "{0} on {1} (value {2}, default {3}) -> {4}")
    @MethodSource("operatorCases")
    void operators(String op, Object attr, Object value, Object def, boolean expected) {
        RspamdRule rule = new RspamdRule("r", "a", Operator.byName(op).orElseThrow(), value, def, Aggregation.ALL,
                RspamdRules.DISABLE_GREYLISTING.apply());
        Map<String, Object> u = "ABSENT".equals(attr) ? user() : user("a", attr);
        assertEquals(expected, rule.test(u));
    }

    @Test
    void aggregationAllAndAny() {
        RspamdRule all = new RspamdRule("r", "a", Operator.TRUTHY, null, null, Aggregation.ALL,
                RspamdRules.DISABLE_GREYLISTING.apply());
        RspamdRule any = new RspamdRule("r", "a", Operator.TRUTHY, null, null, Aggregation.ANY,
                RspamdRules.DISABLE_GREYLISTING.apply());
        var yes = user("a", List.of("x"));
        var no = user("a", List.of(""));
        assertTrue(all.fires(List.of(yes)));
        assertFalse(all.fires(List.of(no)));
        assertTrue(all.fires(List.of(yes, yes)));
        assertFalse(all.fires(List.of(yes, no)));
        assertTrue(any.fires(List.of(no, yes)));
        assertFalse(any.fires(List.of(no, no)));
        assertFalse(any.fires(List.of(no)));
    }

    @Test
    void readsRulesWithDefaults() {
        List<RspamdRule> r = rules("""
                xspct_db_rspamd_rules:
                  - name: vip
                    condition: {attribute: vip, operator: eq, value: "yes", default: "no"}
                    aggregation: any
                    apply:
                      symbols_disabled: [A, B]
                      actions: {reject: 20, greylist: "null", "add header": true}
                      symbols: {S: 1, T: "2.5"}
                      subject: "[vip] %s"
                  - {}
                """);
        assertEquals(2, r.size());
        RspamdRule vip = r.get(0);
        assertEquals(Operator.EQ, vip.operator());
        assertEquals("yes", vip.value());
        assertEquals("no", vip.defaultValue());
        assertEquals(Aggregation.ANY, vip.aggregation());
        assertEquals(Map.of("reject", 20.0, "greylist", "null", "add header", 1.0), vip.apply().actions());
        assertEquals(Map.of("S", 1.0, "T", 2.5), vip.apply().symbols());
        RspamdRule empty = r.get(1);
        assertEquals("", empty.name());
        assertEquals("", empty.attribute());
        assertEquals(Operator.TRUTHY, empty.operator());
        assertEquals(Aggregation.ALL, empty.aggregation());
    }

    @Test
    void absentNullOrEmptyListGivesTheBuiltInRule() {
        assertEquals(List.of(RspamdRules.DISABLE_GREYLISTING), rules("a: 1"));
        assertEquals(List.of(RspamdRules.DISABLE_GREYLISTING), rules("xspct_db_rspamd_rules:"));
        assertEquals(List.of(RspamdRules.DISABLE_GREYLISTING), rules("xspct_db_rspamd_rules: []")); // W18, warned
        RspamdRule d = RspamdRules.DISABLE_GREYLISTING;
        assertEquals("greylisting", d.attribute());
        assertEquals(Operator.FALSY, d.operator());
        assertEquals(Boolean.TRUE, d.defaultValue());
        assertEquals("null", d.apply().actions().get("greylist")); // the string, not JSON null
    }

    @Test
    void nullActionsAndBadScoresAreRefusedNamingTheKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> rules("""
                xspct_db_rspamd_rules:
                  - name: a
                    condition: {attribute: x, operator: eq}
                    apply: {actions: {reject: null, greylist: [1]}, symbols: {S: high}}
                """));
        List<String> p = e.problems();
        assertTrue(p.stream().anyMatch(s -> s.startsWith("xspct_db_rspamd_rules[0].apply.actions.reject: null is "
                + "not an action value")), p.toString());
        assertTrue(p.contains("xspct_db_rspamd_rules[0].apply.actions.greylist: must be a number or a string"),
                p.toString());
        assertTrue(p.contains("xspct_db_rspamd_rules[0].apply.symbols.S: must be a number (the symbol's score)"),
                p.toString());
        assertEquals(List.of(RspamdRules.DISABLE_GREYLISTING), rules("xspct_db_rspamd_rules: {a: 1}"),
                "not a list: the built-in rule, as the original (with a warning)");
    }

    @Test
    void unknownNamesAndNonMappingEntriesAreToleratedAsTheOriginalWithAWarning() {
        YamlNode root = ConfigFile.parse("test", """
                xspct_db_rspamd_rules:
                  - name: never
                    condition: {attribute: x, operator: regex, value: ".*"}
                    apply: {symbols_enabled: [NEVER]}
                  - name: loose
                    condition: {attribute: vip, operator: truthy}
                    aggregation: every
                    apply: {symbols_enabled: [VIP]}
                  - [1]
                """);
        List<RspamdRule> r = RspamdRules.read(root.get("xspct_db_rspamd_rules"));
        assertTrue(root.problems().isEmpty(), root.problems().list().toString());
        assertEquals(List.of("never", "loose"), r.stream().map(RspamdRule::name).toList());
        // an unknown operator is false, whatever the value
        assertFalse(r.get(0).fires(List.of(user("x", List.of(".*")))));
        assertFalse(r.get(0).fires(List.of(user())));
        // an unknown aggregation acts as any
        assertTrue(r.get(1).fires(List.of(user("vip", List.of("yes")), user())));
        assertEquals(List.of(
                        "WARNING xspct_db_rspamd_rules[0].condition.operator: unknown operator 'regex' (known: truthy, "
                                + "falsy, eq, ne, present, absent); the condition evaluates to false, as in the original",
                        "WARNING xspct_db_rspamd_rules[1].aggregation: unknown aggregation 'every' (known: all, any); "
                                + "it acts as 'any', as in the original",
                        "WARNING xspct_db_rspamd_rules[2]: '[1]' is not a mapping with name, condition, aggregation "
                                + "and apply; rule skipped"),
                root.problems().warnings().stream().map(xspct.core.config.Problems.Problem::line).toList());
    }

    @Test
    void operatorNamesAreCaseSensitive() {
        assertTrue(Operator.byName("truthy").isPresent());
        assertFalse(Operator.byName("TRUTHY").isPresent());
        assertFalse(Aggregation.byName("ALL").isPresent());
        List<String> names = new ArrayList<>();
        for (Operator o : Operator.values()) {
            if (Operator.byName(o.configName()).isPresent()) {
                names.add(o.configName());
            }
        }
        assertEquals(Arrays.asList("truthy", "falsy", "eq", "ne", "present", "absent"), names);
        assertFalse(Operator.byName("unknown").isPresent(), "the stand-in for unknown names is not a name");
    }
}
