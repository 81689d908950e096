package xspct.core.lookup;

import java.util.ArrayList;
import java.util.List;

import xspct.api.ConfigNode;
import xspct.core.regex.PythonRegex;

/**
 * {@code xspct_db_rewrite_rules}: ordered pattern/replacement rules; the first rule that changes the address
 * wins .
 */
public final class RewriteRules {
    private final List<Rule> rules;

    private record Rule(PythonRegex pattern, PythonRegex.Replacement replacement) {
    }

    private RewriteRules(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    /**
     * Reads the rules; entries the original skips (not a mapping, no pattern or replacement, a regular
     * expression that cannot be used) are skipped with a warning naming their key.
     *
     * @param node the {@code xspct_db_rewrite_rules} node
     * @return the rules
     */
    public static RewriteRules read(ConfigNode node) {
        List<Rule> rules = new ArrayList<>();
        if (!node.isNull() && !node.isList()) {
            // the original iterates whatever it is given; a mapping yields its keys, which are not rules
            node.warning("is not a list of rules; no rewrite rule applies");
            return new RewriteRules(rules);
        }
        for (ConfigNode r : node.list()) {
            if (!r.isMap()) {
                r.warning("'" + r.raw() + "' is not a mapping of pattern and replacement; rule skipped");
                continue;
            }
            String pattern = r.get("pattern").asString("");
            if (pattern.isEmpty()) {
                r.get("pattern").warning("missing or empty; rule skipped");
                continue;
            }
            if (r.get("replacement").isNull()) {
                r.get("replacement").warning("missing or null; rule skipped");
                continue;
            }
            // the original skips a rule whose pattern does not compile, and a replacement it cannot expand
            // fails at every match, so that rule never rewrites either
            String replacement = r.get("replacement").asString("");
            try {
                PythonRegex regex = PythonRegex.compile(pattern);
                try {
                    rules.add(new Rule(regex, regex.replacement(replacement)));
                } catch (IllegalArgumentException e) {
                    r.get("replacement").warning(e.getMessage() + "; rule skipped");
                }
            } catch (IllegalArgumentException e) {
                r.get("pattern").warning(e.getMessage() + "; rule skipped");
            }
        }
        return new RewriteRules(rules);
    }

    /**
     * Applies the rules to the address without surrounding whitespace. The trim makes every endpoint and every
     * backend agree: common SQL collations ignore trailing spaces, so without it a single lookup of
     * {@code "a@example.org "} found a's row while the batch endpoints, which attribute rows by address, did not.
     *
     * @param original the original address
     * @return the canonical address (the trimmed original when no rule changes it; an all-blank address stays as
     *         it is)
     */
    public String apply(String original) {
        String address = original.strip();
        if (address.isEmpty()) {
            return original;
        }
        for (Rule r : rules) {
            String out = r.pattern().substituteAll(address, r.replacement());
            if (!out.equals(address)) {
                return out;
            }
        }
        return address;
    }

    /** {@return true when no rule is configured} */
    public boolean isEmpty() {
        return rules.isEmpty();
    }
}
