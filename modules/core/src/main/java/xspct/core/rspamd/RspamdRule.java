package xspct.core.rspamd;

import java.util.List;
import java.util.Map;

/**
 * One entry of {@code xspct_db_rspamd_rules} , validated at start.
 *
 * @param name         {@code name}, appended to {@code profile.applied_rules} when the rule fires
 * @param attribute    {@code condition.attribute}
 * @param operator     {@code condition.operator}
 * @param value        {@code condition.value} (for {@code eq}/{@code ne}), as read from YAML
 * @param defaultValue {@code condition.default}: used when the attribute is absent or null
 * @param aggregation  {@code aggregation}
 * @param apply        {@code apply}
 */
public record RspamdRule(String name, String attribute, Operator operator, Object value, Object defaultValue,
                         Aggregation aggregation, RuleApply apply) {

    /**
     * Whether the rule fires for the recipients.
     *
     * @param recipients the recipient user objects; must not be empty
     * @return true when the rule fires
     */
    public boolean fires(List<Map<String, Object>> recipients) {
        if (recipients.size() == 1) {
            return test(recipients.get(0));
        }
        if (aggregation == Aggregation.ALL) {
            for (Map<String, Object> r : recipients) {
                if (!test(r)) {
                    return false;
                }
            }
            return true;
        }
        for (Map<String, Object> r : recipients) {
            if (test(r)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Evaluates the condition for one recipient.
     *
     * @param user the recipient's user object
     * @return the result
     */
    public boolean test(Map<String, Object> user) {
        Object v = user.get(attribute);
        if (v == null) {
            v = defaultValue;
        }
        return operator.test(v, value);
    }
}
