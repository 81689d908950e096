package xspct.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import xspct.api.Backend;
import xspct.api.BackendProvider;
import xspct.api.BackendResult;
import xspct.api.QueryContext;
import xspct.core.config.ConfigFile;
import xspct.core.config.Problems;
import xspct.core.config.Settings;
import xspct.core.config.YamlNode;
import xspct.core.pipeline.RewriteRules;
import xspct.core.plugin.PluginRegistry;

/**
 * What the original tolerates is a warning naming key, value and consequence; the check validates every section
 * without creating a backend, and lists errors and warnings together.
 */
class ConfigCheckTest {

    /** A backend type whose {@code create} must never run during a check. */
    private static final class NoCreate implements BackendProvider {
        int created;

        @Override
        public String dbType() {
            return "yaml";
        }

        @Override
        public void check(QueryContext context) {
            if (context.query().get("bad").exists()) {
                context.query().get("bad").problem("is bad");
            }
        }

        @Override
        public Backend create(QueryContext context) {
            created++;
            return requests -> BackendResult.of(List.of());
        }
    }

    private static Problems check(String yaml, NoCreate provider) {
        YamlNode root = ConfigFile.parse("test.yml", yaml);
        Settings settings = Settings.collect(root);
        XspctService.check(settings, new PluginRegistry(List.of(), Map.of("yaml", provider), List.of(), Map.of()));
        return root.problems();
    }

    static Stream<Arguments> tolerated() {
        return Stream.of(
                Arguments.of("xspct_db_rewrite_rules: [{pattern: '[invalid', replacement: x}]",
                        "xspct_db_rewrite_rules[0].pattern", "invalid regular expression '[invalid'",
                        "; rule skipped"),
                Arguments.of("xspct_db_rewrite_rules: [{pattern: '(a)', replacement: '\\2'}]",
                        "xspct_db_rewrite_rules[0].replacement", "", "; rule skipped"),
                Arguments.of("xspct_db_rewrite_rules: [just-a-string]",
                        "xspct_db_rewrite_rules[0]", "'just-a-string' is not a mapping", "; rule skipped"),
                Arguments.of("xspct_db_rewrite_rules: [{pattern: x}]",
                        "xspct_db_rewrite_rules[0].replacement", "missing or null", "; rule skipped"),
                Arguments.of("xspct_db_prefilter_patterns: {enabled: true, patterns: ['(unclosed']}",
                        "xspct_db_prefilter_patterns.patterns[0]", "invalid regular expression '(unclosed'",
                        "; pattern skipped"),
                Arguments.of("xspct_db_queries: {w: {db_type: yaml, wildcard_domain_query: true, "
                                + "wildcard_key_pattern: '[x'}}",
                        "xspct_db_queries.w.wildcard_key_pattern", "invalid regular expression '[x'",
                        "; this query derives no wildcard key"),
                Arguments.of("xspct_db_rspamd_rules: [{name: r, condition: {attribute: a, operator: regex}}]",
                        "xspct_db_rspamd_rules[0].condition.operator", "unknown operator 'regex'",
                        "the condition evaluates to false, as in the original"),
                Arguments.of("xspct_db_rspamd_rules: [{name: r, aggregation: most}]",
                        "xspct_db_rspamd_rules[0].aggregation", "unknown aggregation 'most'",
                        "it acts as 'any', as in the original"),
                Arguments.of("xspct_db_rspamd_rules: [42]",
                        "xspct_db_rspamd_rules[0]", "'42' is not a mapping", "; rule skipped"),
                Arguments.of("xspct_db_rspamd_rules: {name: r}",
                        "xspct_db_rspamd_rules", "is not a list of rules", "applies, as in the original"),
                Arguments.of("xspct_db_rewrite_rules: {pattern: x, replacement: y}",
                        "xspct_db_rewrite_rules", "is not a list of rules", "no rewrite rule applies"),
                Arguments.of("xspct_db_rspamd_rules: []",
                        "xspct_db_rspamd_rules", "is an empty list", "list your rules"),
                Arguments.of("xspct_db_queries: {users: {db_type: ldpa}}",
                        "xspct_db_queries.users.db_type", "query 'users' uses db_type 'ldpa', which no installed "
                                + "plugin provides", "; the query answers nothing"),
                Arguments.of("xspct_db_queries: {users: {primary_key: mail}}",
                        "xspct_db_queries.users.db_type", "query 'users' has no db_type", "it answers nothing"),
                Arguments.of("xspct_db_reject_level_map: {5: 13}",
                        "xspct_db_reject_level_map", "key 5 is not a string and never matches", "\"5\""));
    }

    @ParameterizedTest
    @MethodSource("tolerated")
    void whatTheOriginalToleratesIsOneWarningNamingKeyValueAndConsequence(String yaml, String path,
                                                                          String start, String end) {
        Problems p = check("xspct_db_api_key: k\n" + yaml, new NoCreate());
        assertEquals(List.of(), p.list(), "no error");
        List<Problems.Problem> w = p.warnings();
        assertEquals(1, w.size(), w.toString());
        assertEquals(path, w.get(0).path());
        assertTrue(w.get(0).message().startsWith(start) && w.get(0).message().endsWith(end), w.get(0).message());
        assertTrue(w.get(0).line().startsWith("WARNING " + path + ": "), w.get(0).line());
    }

    @Test
    void everyProblemIsListedAtOnceAndNoBackendIsCreated() {
        NoCreate provider = new NoCreate();
        Problems p = check("""
                xspct_db_listen_port: abc
                xspct_db_queries:
                  users: {db_type: ldpa}
                  people: {db_type: yaml, bad: 1}
                xspct_db_rewrite_rules: [{pattern: '[invalid', replacement: x}]
                """, provider);
        assertEquals(List.of("xspct_db_listen_port: must be a number, got 'abc'", "xspct_db_queries.people.bad: is bad"),
                p.list());
        assertEquals(List.of("xspct_db_api_key", "xspct_db_queries.users.db_type", "xspct_db_rewrite_rules[0].pattern"),
                p.warnings().stream().map(Problems.Problem::path).toList());
        assertEquals(0, provider.created, "a check creates no backend");
    }

    @Test
    void aProblemRecordedTwiceIsListedOnce() {
        Problems p = new Problems();
        p.warn("a", "x");
        p.warn("a", "x");
        p.add("a", "x");
        assertEquals(2, p.all().size());
        assertEquals(List.of("ERROR a: x"), p.all().stream().filter(x -> x.severity() == Problems.Severity.ERROR)
                .map(Problems.Problem::line).toList());
    }

    @Test
    void skippedRewriteRulesLeaveTheOthersWorking() {
        YamlNode root = ConfigFile.parse("t", """
                xspct_db_rewrite_rules:
                  - {pattern: '[invalid', replacement: x}
                  - {pattern: '@legacy\\.example$', replacement: '@example.org'}
                """);
        RewriteRules r = RewriteRules.read(root.get("xspct_db_rewrite_rules"));
        assertEquals("a@example.org", r.apply("a@legacy.example"));
        assertEquals("[invalid", r.apply("[invalid"));
    }
}
