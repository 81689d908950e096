package xspct.core.rspamd;

import java.util.List;
import java.util.Map;

/**
 * The {@code apply} block of an Rspamd rule, with values already coerced as they appear in the response
 * : action values are {@code Double} or {@code String}, symbol scores {@code Double}.
 *
 * @param symbolsDisabled {@code symbols_disabled}
 * @param symbolsEnabled  {@code symbols_enabled}
 * @param groupsDisabled  {@code groups_disabled}
 * @param groupsEnabled   {@code groups_enabled}
 * @param actions         {@code actions}: action name to threshold (Double) or a string such as {@code "null"}
 * @param symbols         {@code symbols}: symbol name to score
 * @param subject         {@code subject}, empty string when not set
 */
public record RuleApply(List<String> symbolsDisabled, List<String> symbolsEnabled, List<String> groupsDisabled,
                        List<String> groupsEnabled, Map<String, Object> actions, Map<String, Double> symbols,
                        String subject) {

    /** Copies the collections. */
    public RuleApply {
        symbolsDisabled = List.copyOf(symbolsDisabled);
        symbolsEnabled = List.copyOf(symbolsEnabled);
        groupsDisabled = List.copyOf(groupsDisabled);
        groupsEnabled = List.copyOf(groupsEnabled);
        actions = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(actions));
        symbols = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(symbols));
    }
}
