package xspct.core.rspamd;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import xspct.api.ConfigNode;

/**
 * {@code xspct_db_rspamd_rules}, read and validated at start. What the original tolerates is kept and warned about,
 * naming the key path: an unknown operator evaluates to false, an unknown aggregation acts as {@code any}, an entry
 * that is not a mapping is skipped, an empty list re-enables the built-in rule. Values the original could only
 * fail on at request time (null action values, non-numeric scores) are configuration errors.
 */
public final class RspamdRules {
    private static final Set<String> APPLY_KEYS = Set.of("symbols_disabled", "symbols_enabled", "groups_disabled",
            "groups_enabled", "actions", "symbols", "subject");

    /** The built-in rule used when no rules are configured. */
    public static final RspamdRule DISABLE_GREYLISTING = new RspamdRule("disable_greylisting", "greylisting",
            Operator.FALSY, null, Boolean.TRUE, Aggregation.ALL,
            new RuleApply(List.of("GREYLIST_CHECK", "GREYLIST_SAVE", "GREYLIST"), List.of(), List.of(), List.of(),
                    Map.of("greylist", "null"), Map.of("SETTINGS_GREYLIST_DISABLED", 0.0), ""));

    private RspamdRules() {
    }

    /**
     * Reads the rules.
     *
     * @param node the {@code xspct_db_rspamd_rules} node
     * @return the rules in order; the built-in rule when the key is absent, null or an empty list
     */
    public static List<RspamdRule> read(ConfigNode node) {
        if (!node.exists() || node.isNull()) {
            return List.of(DISABLE_GREYLISTING);
        }
        if (!node.isList()) {
            // the original uses the configured rules only when they are a non-empty list
            node.warning("is not a list of rules; the built-in rule disable_greylisting applies, as in the original");
            return List.of(DISABLE_GREYLISTING);
        }
        List<ConfigNode> items = node.list();
        if (items.isEmpty()) {
            node.warning("is an empty list, which enables the built-in rule disable_greylisting (as the original "
                    + "does); remove the key to say so, or list your rules");
            return List.of(DISABLE_GREYLISTING);
        }
        List<RspamdRule> rules = new ArrayList<>(items.size());
        for (ConfigNode r : items) {
            RspamdRule rule = readRule(r);
            if (rule != null) {
                rules.add(rule);
            }
        }
        return List.copyOf(rules);
    }

    private static RspamdRule readRule(ConfigNode r) {
        if (!r.isMap()) {
            r.warning("'" + r.raw() + "' is not a mapping with name, condition, aggregation and apply; rule skipped");
            return null;
        }
        String name = r.get("name").asString("");
        ConfigNode cond = r.get("condition");
        if (!cond.isNull() && !cond.isMap()) {
            cond.problem("must be a mapping with attribute, operator, value and default");
        }
        String attribute = cond.get("attribute").asString("");
        ConfigNode op = cond.get("operator");
        String opName = op.asString("truthy");
        Operator operator = Operator.byName(opName).orElse(Operator.UNKNOWN);
        if (operator == Operator.UNKNOWN) {
            op.warning("unknown operator '" + opName + "' (known: truthy, falsy, eq, ne, present, absent); the "
                    + "condition evaluates to false, as in the original");
        }
        ConfigNode agg = r.get("aggregation");
        String aggName = agg.asString("all");
        Aggregation aggregation = Aggregation.byName(aggName).orElse(Aggregation.ANY);
        if (Aggregation.byName(aggName).isEmpty()) {
            agg.warning("unknown aggregation '" + aggName + "' (known: all, any); it acts as 'any', as in the "
                    + "original");
        }
        RuleApply apply = readApply(r.get("apply"));
        if (apply == null) {
            return null;
        }
        return new RspamdRule(name, attribute, operator, cond.get("value").raw(), cond.get("default").raw(),
                aggregation, apply);
    }

    private static RuleApply readApply(ConfigNode a) {
        if (a.isNull()) {
            return new RuleApply(List.of(), List.of(), List.of(), List.of(), Map.of(), Map.of(), "");
        }
        if (!a.isMap()) {
            a.problem("must be a mapping");
            return null;
        }
        for (String k : a.map().keySet()) {
            if (!APPLY_KEYS.contains(k)) {
                a.get(k).warning("is not a settings field the service applies ("
                        + String.join(", ", APPLY_KEYS.stream().sorted().toList()) + "); ignored");
            }
        }
        Map<String, Object> actions = new LinkedHashMap<>();
        ConfigNode an = a.get("actions");
        if (!an.isNull() && !an.isMap()) {
            an.problem("must be a mapping of action names to thresholds");
        } else {
            an.map().forEach((name, v) -> {
                Object c = actionValue(v.raw());
                if (c == null) {
                    v.problem(v.isNull() ? "null is not an action value; use a number, or the string \"null\" "
                            + "to disable the action" : "must be a number or a string");
                } else {
                    actions.put(name, c);
                }
            });
        }
        Map<String, Double> symbols = new LinkedHashMap<>();
        ConfigNode sn = a.get("symbols");
        if (!sn.isNull() && !sn.isMap()) {
            sn.problem("must be a mapping of symbol names to scores");
        } else {
            sn.map().forEach((name, v) -> {
                Double d = score(v.raw());
                if (d == null) {
                    v.problem("must be a number (the symbol's score)");
                } else {
                    symbols.put(name, d);
                }
            });
        }
        return new RuleApply(a.get("symbols_disabled").asStringList(List.of()),
                a.get("symbols_enabled").asStringList(List.of()), a.get("groups_disabled").asStringList(List.of()),
                a.get("groups_enabled").asStringList(List.of()), actions, symbols, a.get("subject").asString(""));
    }

    /** Action values: numbers (and booleans) become floats, strings stay; anything else is unusable. */
    static Object actionValue(Object raw) {
        if (raw instanceof String s) {
            return s;
        }
        if (PyValues.isNumeric(raw)) {
            return toDouble(raw);
        }
        return null;
    }

    private static Double score(Object raw) {
        if (PyValues.isNumeric(raw)) {
            return toDouble(raw);
        }
        if (raw instanceof String s) {
            try {
                return Double.parseDouble(s.trim()); // Python float() accepts numeric strings
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    static double toDouble(Object numeric) {
        if (numeric instanceof Boolean b) {
            return b ? 1.0 : 0.0;
        }
        BigDecimal d = PyValues.decimal(numeric);
        return d == null ? ((Number) numeric).doubleValue() : d.doubleValue();
    }
}
