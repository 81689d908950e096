package xspct.core.pipeline;

import java.util.ArrayList;
import java.util.List;

import xspct.api.ConfigNode;
import xspct.core.regex.PythonRegex;

/**
 * {@code xspct_db_rewrite_rules}: ordered pattern/replacement rules; the first rule that changes the address
 * wins (SPEC 7).
 */
public final class RewriteRules {
    private static final System.Logger LOG = System.getLogger(RewriteRules.class.getName());

    private final List<Rule> rules;

    private record Rule(PythonRegex pattern, PythonRegex.Replacement replacement) {
    }

    private RewriteRules(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    /**
     * Reads the rules; regular expressions that cannot be used are configuration problems.
     *
     * @param node the {@code xspct_db_rewrite_rules} node
     * @return the rules
     */
    public static RewriteRules read(ConfigNode node) {
        List<Rule> rules = new ArrayList<>();
        for (ConfigNode r : node.list()) {
            if (!r.isMap()) {
                LOG.log(System.Logger.Level.WARNING, r.path() + ": not a mapping; rule skipped");
                continue;
            }
            String pattern = r.get("pattern").asString("");
            if (pattern.isEmpty()) {
                LOG.log(System.Logger.Level.WARNING, r.path() + ": no pattern; rule skipped");
                continue;
            }
            if (r.get("replacement").isNull()) {
                LOG.log(System.Logger.Level.WARNING, r.path() + ": no replacement; rule skipped");
                continue;
            }
            try {
                PythonRegex regex = PythonRegex.compile(pattern);
                try {
                    rules.add(new Rule(regex, regex.replacement(r.get("replacement").asString(""))));
                } catch (IllegalArgumentException e) {
                    r.get("replacement").problem(e.getMessage());
                }
            } catch (IllegalArgumentException e) {
                r.get("pattern").problem(e.getMessage());
            }
        }
        return new RewriteRules(rules);
    }

    /**
     * Applies the rules to the address without surrounding whitespace. The trim makes every endpoint and every
     * backend agree: MySQL's default collations ignore trailing spaces, so without it a single lookup of
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
