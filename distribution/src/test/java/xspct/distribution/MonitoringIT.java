package xspct.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * The monitoring that comes with the release ({@code contrib/prometheus/xspct-db.rules.yml},
 * {@code contrib/grafana/xspct-db.json}) against a real Prometheus scraping a running server that uses every kind of
 * component the expressions look at (YAML and MySQL backends, a failing query, the in-process and the Redis tier,
 * change feeds on a private MariaDB database): every alert and dashboard expression must evaluate without error, and
 * each of its selectors must name a metric of the real scrape and find series in it (so a misspelt metric, label or
 * label value fails). The change feed alerts, which reason over a fleet, are also unit tested with promtool.
 */
class MonitoringIT {
    private static final String KEY = "monitoring-it-key";
    /** Grafana's variables as the dashboard uses them, with the values of the test's Prometheus. */
    private static final Map<String, String> VARIABLES = Map.of("$__rate_interval", "1m", "$instance", ".*",
            "$job", "xspct-db");
    /** Series Prometheus makes itself for every target. */
    private static final Set<String> PROMETHEUS_SERIES = Set.of("up");
    /** Aggregation operators and keywords: names in an expression that are no metric. */
    private static final Set<String> KEYWORDS = Set.of("sum", "min", "max", "avg", "count", "stddev", "stdvar",
            "topk", "bottomk", "quantile", "count_values", "group", "and", "or", "unless", "bool", "offset", "inf",
            "nan");
    private static final Pattern SELECTOR = Pattern.compile(
            "(?<![\\w:$.])([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*(\\{(?:[^}\"]|\"(?:[^\"\\\\]|\\\\.)*\")*})?");
    private static final Pattern CLAUSE = Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");

    @Test
    void alertRulesPassPromtool() {
        Path promtool = Requirement.tool("/usr/bin/promtool", "prometheus");
        Path rules = Distribution.shared().home().resolve("contrib/prometheus/xspct-db.rules.yml");
        Distribution.Exited r = Distribution.runTool(List.of(promtool.toString(), "check", "rules", rules.toString()),
                Distribution.workDir(), 60);
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.stdout().contains("SUCCESS"), r.output());
    }

    @Test
    void changeFeedAlertsReasonOverTheFleet() throws IOException {
        Path promtool = Requirement.tool("/usr/bin/promtool", "prometheus");
        Path dir = Files.createTempDirectory(Distribution.workDir(), "promtool-");
        Files.copy(Distribution.shared().home().resolve("contrib/prometheus/xspct-db.rules.yml"),
                dir.resolve("xspct-db.rules.yml"), StandardCopyOption.REPLACE_EXISTING);
        try (var tests = MonitoringIT.class.getResourceAsStream("/prometheus/change-feed-alerts.test.yml")) {
            Files.copy(tests, dir.resolve("change-feed-alerts.test.yml"), StandardCopyOption.REPLACE_EXISTING);
        }
        Distribution.Exited r = Distribution.runTool(List.of(promtool.toString(), "test", "rules",
                "change-feed-alerts.test.yml"), dir, 60);
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.stdout().contains("SUCCESS"), r.output());
    }

    @Test
    void prometheusEvaluatesEveryDashboardAndAlertExpression() throws Exception {
        Path prometheus = Requirement.tool("/usr/bin/prometheus", "prometheus");
        Requirement.service(3306, "MariaDB");
        Requirement.service(6379, "Redis");
        Distribution dist = Distribution.shared();
        Requirement.require(Files.isDirectory(dist.plugins().resolve("mysql"))
                && Files.isDirectory(dist.plugins().resolve("redis")), "the release lacks the mysql or redis plugin");
        Path rules = dist.home().resolve("contrib/prometheus/xspct-db.rules.yml");
        JsonNode dashboard = new ObjectMapper().readTree(dist.home().resolve("contrib/grafana/xspct-db.json").toFile());

        String prefix = "xspct_monitoring_" + UUID.randomUUID().toString().substring(0, 8) + "_";
        String database = "xmonit" + UUID.randomUUID().toString().substring(0, 8);
        MariaDb.jdbc("CREATE DATABASE " + database,
                "CREATE TABLE " + database + ".policy (mail VARCHAR(200) PRIMARY KEY, quota INT)",
                "INSERT INTO " + database + ".policy VALUES ('a@ex.test', 1)",
                "CREATE TABLE " + database + ".domains (domain VARCHAR(200) PRIMARY KEY, relay VARCHAR(200))",
                "INSERT INTO " + database + ".domains VALUES ('ex.test', 'mx1')");
        try (RunningServer server = RunningServer.start(dist, dist.writeConfig("monitoring.yml",
                config(prefix, database)))) {
            Map<String, String> key = Map.of("X-Api-Key", KEY);
            // a change applied by the feed: events and lag samples
            MariaDb.jdbc("UPDATE " + database + ".policy SET quota = 2 WHERE mail = 'a@ex.test'");
            Await.until("the change feed applied the update", Duration.ofSeconds(30),
                    () -> server.get("/metrics", Map.of()).body().lines().anyMatch(
                            l -> l.startsWith("xspct_db_change_feed_events_total{query=\"policy\"")
                                    && !l.endsWith(" 0.0")), server::stdout);
            for (int round = 0; round < 2; round++) {
                assertEquals(200, server.get("/v1/query/alice@example.org", key).statusCode());
                assertEquals(200, server.get("/v1/query/nobody@example.net", key).statusCode());
                assertEquals(500, server.get("/v1/query/fail@example.org", key).statusCode(), "the failing query");
                assertEquals(200, server.post("/v1/query-json", "{\"users\": [\"alice@example.org\"]}", key)
                        .statusCode());
            }
            Set<String> exported = sampleNames(server.get("/metrics", Map.of()).body());

            String config = """
                    global:
                      scrape_interval: 1s
                      evaluation_interval: 1s
                    rule_files: ["%s"]
                    scrape_configs:
                      - job_name: xspct-db
                        static_configs:
                          - targets: ["127.0.0.1:%d"]
                    """.formatted(rules, server.port());
            try (PrometheusServer prom = PrometheusServer.start(prometheus, config)) {
                // rate() needs two samples in its window; the rules need one evaluation after that
                Await.until("three scrapes of xspct-db", Duration.ofSeconds(60),
                        () -> !prom.query("count_over_time(up{job=\"xspct-db\"}[1m]) >= 3").path("data")
                                .path("result").isEmpty(), prom::log);
                server.get("/v1/query/alice@example.org", key);
                // a full eviction (a table watched without key columns changed) seen by Prometheus as an increase
                MariaDb.jdbc("UPDATE " + database + ".domains SET relay = 'mx2' WHERE domain = 'ex.test'");
                Await.until("the full eviction alert fires", Duration.ofSeconds(60),
                        () -> !prom.query("ALERTS{alertname=\"XspctDbChangeFeedFullFlushes\", "
                                + "alertstate=\"firing\", query=\"domains\"}").path("data").path("result")
                                .isEmpty(), () -> prom.log() + server.stdout());
                List<String> problems = new ArrayList<>();
                List<String> ruleExprs = ruleExpressions(prom, problems);
                assertEquals(12, ruleExprs.size(), "alert rules loaded by Prometheus: " + ruleExprs);
                for (String expr : ruleExprs) {
                    check("alert", expr, false, prom, exported, problems);
                }
                List<String> panelExprs = dashboardExpressions(dashboard);
                assertTrue(panelExprs.size() >= 16, "dashboard expressions: " + panelExprs);
                for (String expr : panelExprs) {
                    check("dashboard", expr, true, prom, exported, problems);
                }
                assertTrue(problems.isEmpty(), String.join("\n", problems) + "\nexported: " + exported);
            }
        } finally {
            Distribution.runTool(List.of("sh", "-c", "redis-cli --scan --pattern '" + prefix
                    + "*' | xargs -r redis-cli del"), Distribution.workDir(), 30);
            MariaDb.jdbc("DROP DATABASE IF EXISTS " + database);
        }
    }

    private static String config(String prefix, String database) {
        return Distribution.TEST_LISTENER + """
                xspct_db_api_key: %1$s
                xspct_db_metrics_enabled: true
                xspct_db_metrics_cache_ttl: 0
                xspct_db_change_feed: {enabled: true, poll_interval: 0.1}
                xspct_db_queries:
                  users:
                    db_type: yaml
                  sql:
                    db_type: mysql
                    server: 127.0.0.1
                    user: root
                    database: test
                    # knows alice; a subquery of two rows fails the statement for fail@...
                    query: "SELECT mail FROM (SELECT 'alice@example.org' AS mail) AS t WHERE mail = '%%a' AND IF('%%a' LIKE 'fail@%%', (SELECT 1 UNION SELECT 2), 1)"
                    query_replace: {"%%a": address}
                  policy:
                    db_type: mysql
                    server: 127.0.0.1
                    user: root
                    database: %3$s
                    query: "SELECT mail, quota FROM policy WHERE mail = %%u"
                    query_replace: {"%%u": address}
                    change_feed: {table: policy, key_columns: [mail]}
                  domains:
                    db_type: mysql
                    server: 127.0.0.1
                    user: root
                    database: %3$s
                    query: "SELECT relay FROM domains WHERE domain = %%d"
                    query_replace: {"%%d": domain}
                    change_feed: {table: domains, key_columns: []}
                xspct_db_yaml_data:
                  users:
                    alice@example.org:
                      mail: alice@example.org
                xspct_db_redis_cache:
                  enabled: true
                  host: 127.0.0.1
                  prefix_user: %2$suser_
                  prefix_alias: %2$salias_
                  prefix_negative_alias: %2$sneg_
                  invalidation_channel: %2$schan
                """.formatted(KEY, prefix, database);
    }

    /** The alert expressions as Prometheus loaded them; a rule with an evaluation error is a problem. */
    private static List<String> ruleExpressions(PrometheusServer prom, List<String> problems) {
        Await.until("every rule evaluated", Duration.ofSeconds(30), () -> prom.ruleGroups().stream()
                .allMatch(g -> allEvaluated(g.path("rules"))), prom::log);
        List<String> exprs = new ArrayList<>();
        for (JsonNode group : prom.ruleGroups()) {
            for (JsonNode rule : group.path("rules")) {
                exprs.add(rule.path("query").asText());
                if (!"ok".equals(rule.path("health").asText()) || !rule.path("lastError").asText("").isEmpty()) {
                    problems.add("alert " + rule.path("name").asText() + ": health " + rule.path("health").asText()
                            + ", " + rule.path("lastError").asText(""));
                }
            }
        }
        return exprs;
    }

    private static boolean allEvaluated(JsonNode rules) {
        for (JsonNode r : rules) {
            if (r.path("lastEvaluation").asText("0001").startsWith("0001")) {
                return false;
            }
        }
        return true;
    }

    /** Every target expression of every panel, and the query of every query variable. */
    private static List<String> dashboardExpressions(JsonNode dashboard) {
        List<String> exprs = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                exprs.add(target.path("expr").asText());
            }
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            String q = variable.path("query").path("query").asText("");
            Matcher m = Pattern.compile("^label_values\\((.*),\\s*\\w+\\)$").matcher(q);
            if (m.matches()) {
                exprs.add(m.group(1));
            }
        }
        return exprs;
    }

    /**
     * Evaluates an expression, then each of its selectors alone: the metric must be exported (or made by
     * Prometheus) and the selector, labels included, must find series.
     */
    private static void check(String kind, String expr, boolean mustHaveResult, PrometheusServer prom,
                              Set<String> exported, List<String> problems) {
        String resolved = expr;
        for (Map.Entry<String, String> v : VARIABLES.entrySet()) {
            resolved = resolved.replace(v.getKey(), v.getValue());
        }
        JsonNode answer = prom.query(resolved);
        if (!"success".equals(answer.path("status").asText()) || answer.has("warnings")) {
            problems.add(kind + " " + expr + ": " + answer);
            return;
        }
        if (mustHaveResult && answer.path("data").path("result").isEmpty()) {
            problems.add(kind + " " + expr + ": no result");
        }
        for (String selector : selectors(resolved)) {
            String name = selector.replaceFirst("\\{.*", "").trim();
            if (!exported.contains(name) && !PROMETHEUS_SERIES.contains(name)) {
                problems.add(kind + " " + expr + ": metric " + name + " is not exported");
            } else if (prom.query(selector).path("data").path("result").isEmpty()) {
                problems.add(kind + " " + expr + ": selector " + selector + " finds no series");
            }
        }
    }

    /** The series selectors ({@code name{matchers}}) of a PromQL expression. */
    static Set<String> selectors(String expr) {
        String s = expr.replaceAll("\\[[^\\]]*]", " ");            // range and subquery durations
        s = CLAUSE.matcher(s).replaceAll(" ");                     // by (...), on (...), group_left (...)
        s = s.replaceAll("\\boffset\\s+\\w+", " ");
        Set<String> out = new LinkedHashSet<>();
        Matcher m = SELECTOR.matcher(s);
        while (m.find()) {
            String name = m.group(1);
            int next = m.end();
            while (next < s.length() && Character.isWhitespace(s.charAt(next))) {
                next++;
            }
            boolean call = m.group(2) == null && next < s.length() && s.charAt(next) == '(';
            if (!call && !KEYWORDS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                out.add(m.group(2) == null ? name : name + m.group(2));
            }
        }
        return out;
    }

    /** The sample names of a Prometheus text scrape. */
    private static Set<String> sampleNames(String text) {
        Set<String> names = new TreeSet<>();
        for (String line : text.lines().toList()) {
            if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        assertFalse(names.isEmpty(), "empty scrape");
        return names;
    }

    @Test
    void selectorsAreFoundInExpressions() {
        assertEquals(Set.of("http_requests_total{job=\"x\", status=~\"5..\"}", "http_requests_total{job=\"x\"}"),
                selectors("sum by (instance) (rate(http_requests_total{job=\"x\", status=~\"5..\"}[5m])) "
                        + "/ sum by (instance) (rate(http_requests_total{job=\"x\"}[5m])) > 0.01"));
        assertEquals(Set.of("a_bucket{q=\"}{\"}", "b", "up{job=\"j\"}"),
                selectors("histogram_quantile(0.99, sum by (le) (rate(a_bucket{q=\"}{\"}[1m] offset 1h))) "
                        + "and on (instance) b > bool 1 unless up{job=\"j\"} == 0"));
    }
}
