package xspct.core.pipeline;

import java.util.Optional;
import java.util.regex.MatchResult;

import xspct.core.config.QuerySettings;
import xspct.core.regex.PythonRegex;

/**
 * Derives the wildcard key of an address for one wildcard query (SPEC 6.1): substitution mode when a replacement
 * is configured, match mode otherwise; defaults {@code .*@(.+)} and {@code @\1}.
 */
public final class WildcardKeys {
    private static final String DEFAULT_PATTERN = ".*@(.+)";
    private static final String DEFAULT_REPLACEMENT = "@\\1";

    private final PythonRegex pattern;
    private final PythonRegex.Replacement replacement;

    private WildcardKeys(PythonRegex pattern, PythonRegex.Replacement replacement) {
        this.pattern = pattern;
        this.replacement = replacement;
    }

    /**
     * Compiles the key derivation of a query; a pattern or replacement that cannot be used is warned about
     * (recorded against the query's key) and gives no key, as in the original.
     *
     * @param q the query
     * @return the derivation, or null when the query is not a wildcard query or its pattern is invalid
     */
    public static WildcardKeys of(QuerySettings q) {
        if (!q.wildcard()) {
            return null;
        }
        String p = q.wildcardKeyPattern();
        Optional<String> r = q.wildcardKeyReplacement();
        if (p.isEmpty()) {
            p = DEFAULT_PATTERN;
            r = Optional.of(DEFAULT_REPLACEMENT);
        }
        PythonRegex regex;
        try {
            regex = PythonRegex.compile(p);
        } catch (IllegalArgumentException e) {
            // the original logs the invalid pattern and derives no key from it
            q.section().get("wildcard_key_pattern").warning(e.getMessage()
                    + "; this query derives no wildcard key");
            return null;
        }
        PythonRegex.Replacement repl = null;
        if (r.isPresent()) {
            try {
                repl = regex.replacement(r.get());
            } catch (IllegalArgumentException e) {
                q.section().get("wildcard_key_replacement").warning(e.getMessage()
                        + "; this query derives no wildcard key");
                return null;
            }
        }
        return new WildcardKeys(regex, repl);
    }

    /**
     * The key for an address.
     *
     * @param address the canonical address
     * @return the key, or empty when the address yields none
     */
    public Optional<String> keyFor(String address) {
        if (replacement != null) {
            String out = pattern.substituteAll(address, replacement);
            return out.equals(address) ? Optional.empty() : Optional.of(out);
        }
        try {
            Optional<MatchResult> found = pattern.find(address);
            if (found.isEmpty()) {
                return Optional.empty();
            }
            MatchResult m = found.get();
            boolean anyGroup = false;
            for (int g = 1; g <= m.groupCount(); g++) {
                anyGroup |= m.group(g) != null;
            }
            if (anyGroup) {
                return Optional.ofNullable(m.group(1));
            }
            return Optional.of(m.group());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
