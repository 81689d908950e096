package xspct.core.rspamd;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import xspct.api.ConfigNode;

/**
 * Turns the users found for an Rspamd request into the settings object Rspamd applies : rules, reject
 * level, {@code settings_data}, with the field order and omissions of the original (9.7).
 *
 * @param rules        the rules, in order
 * @param rejectLevels the reject-level translation
 * @param aliasFields  {@code xspct_db_rspamd_alias_fields}
 */
public record RspamdPolicy(List<RspamdRule> rules, RejectLevels rejectLevels, List<String> aliasFields) {

    /** Copies the lists. */
    public RspamdPolicy {
        rules = List.copyOf(rules);
        aliasFields = List.copyOf(aliasFields);
    }

    /**
     * Reads the policy keys from the configuration root; problems are recorded against their key paths.
     *
     * @param root the configuration root
     * @return the policy
     */
    public static RspamdPolicy read(ConfigNode root) {
        List<RspamdRule> rules = RspamdRules.read(root.get("xspct_db_rspamd_rules"));
        RejectLevels levels = RejectLevels.read(root);
        List<String> aliasFields = root.get("xspct_db_rspamd_alias_fields").asStringList(List.of("aliases"));
        return new RspamdPolicy(rules, levels, aliasFields);
    }

    /**
     * Computes the response object.
     *
     * @param users    the found users, primary key to object, reduced to the request's addresses 
     * @param keys     address to primary key
     * @param rcptKeys for each requested recipient, its primary key (or the address itself when not found)
     * @return the response object, fields in the original's order
     */
    public Map<String, Object> settings(Map<String, Map<String, Object>> users, Map<String, String> keys,
                                        List<String> rcptKeys) {
        Set<String> rk = new LinkedHashSet<>(rcptKeys);
        List<Map<String, Object>> recipients = new ArrayList<>();
        users.forEach((pk, obj) -> {
            if (rk.contains(pk)) {
                recipients.add(obj);
            }
        });
        Set<String> symbolsDisabled = new LinkedHashSet<>();
        Set<String> symbolsEnabled = new LinkedHashSet<>();
        Set<String> groupsDisabled = new LinkedHashSet<>();
        Set<String> groupsEnabled = new LinkedHashSet<>();
        Map<String, Object> actions = new LinkedHashMap<>();
        Map<String, Double> symbols = new LinkedHashMap<>();
        String subject = "";
        List<String> applied = new ArrayList<>();
        if (!recipients.isEmpty()) {
            for (RspamdRule rule : rules) {
                if (!rule.fires(recipients)) {
                    continue;
                }
                applied.add(rule.name());
                RuleApply a = rule.apply();
                symbolsDisabled.addAll(a.symbolsDisabled());
                symbolsEnabled.addAll(a.symbolsEnabled());
                groupsDisabled.addAll(a.groupsDisabled());
                groupsEnabled.addAll(a.groupsEnabled());
                actions.putAll(a.actions());
                symbols.putAll(a.symbols());
                if (subject.isEmpty() && !a.subject().isEmpty()) {
                    subject = a.subject();
                }
            }
            rejectLevels.rejectFor(recipients).ifPresent(m -> {
                actions.put("reject", RspamdRules.toDouble(m));
                applied.add("reject(" + PyValues.str(m) + ")");
            });
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("actions", actions);
        out.put("flags", List.of());
        out.put("groups_disabled", List.copyOf(groupsDisabled));
        if (!groupsEnabled.isEmpty()) {
            out.put("groups_enabled", List.copyOf(groupsEnabled));
        }
        out.put("symbols_disabled", List.copyOf(symbolsDisabled));
        if (!symbolsEnabled.isEmpty()) {
            out.put("symbols_enabled", List.copyOf(symbolsEnabled));
        }
        out.put("symbols", symbols.isEmpty() ? List.of() : symbols);
        if (!subject.isEmpty()) {
            out.put("subject", subject);
        }
        out.put("settings_data", settingsData(users, keys, applied));
        out.put("settings_error", List.of());
        return out;
    }

    private Map<String, Object> settingsData(Map<String, Map<String, Object>> users, Map<String, String> keys,
                                             List<String> applied) {
        if (users.isEmpty()) {
            return Map.of();
        }
        Map<String, String> aliases = new LinkedHashMap<>();
        users.forEach((pk, obj) -> {
            for (String field : aliasFields) {
                Object values = obj.get(field);
                if (values instanceof List<?> l) {
                    for (Object v : l) {
                        addAlias(aliases, v, pk);
                    }
                } else {
                    addAlias(aliases, values, pk);
                }
            }
        });
        keys.forEach((address, pk) -> {
            if (users.containsKey(pk) && !address.equals(pk)) {
                aliases.putIfAbsent(address, pk);
            }
        });
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("users", users);
        data.put("aliases", aliases);
        data.put("profile", Map.of("applied_rules", List.copyOf(applied)));
        return data;
    }

    private static void addAlias(Map<String, String> aliases, Object v, String pk) {
        if (v == null) {
            return;
        }
        String s = PyValues.str(v);
        if (!s.equals(pk)) {
            aliases.put(s, pk);
        }
    }
}
