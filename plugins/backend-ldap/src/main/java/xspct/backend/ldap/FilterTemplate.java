package xspct.backend.ldap;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPException;

import xspct.api.LookupRequest;

/**
 * {@code search_filter} with its {@code search_filter_replace} placeholders, compiled once.
 *
 * <p>Substitution is a single left-to-right pass (docs/compatibility.md: "SQL and LDAP templates are substituted
 * safely"): at each position the longest placeholder that
 * starts there is replaced by the RFC 4515 escaped request field, so a value containing another placeholder is
 * never expanded again, and {@code *}, parentheses, backslash, NUL and non-ASCII bytes in an address can only
 * ever be matched literally. A template that is not one parenthesised filter is wrapped in parentheses so the
 * batched {@code (|...)} stays valid.
 */
final class FilterTemplate {
    /** A piece of the template: literal filter text, or a placeholder naming a request field. */
    private record Piece(String text, String field) {
    }

    private final List<Piece> pieces;
    private final boolean wrap;
    private final Set<String> attributes;

    private FilterTemplate(List<Piece> pieces, boolean wrap, Set<String> attributes) {
        this.pieces = pieces;
        this.wrap = wrap;
        this.attributes = attributes;
    }

    /**
     * Compiles a template.
     *
     * @param template the filter with placeholders
     * @param replace  placeholder to request field name ({@code username}, {@code address}, {@code userpart},
     *                 {@code domain}); the names must be valid
     * @return the template
     * @throws IllegalArgumentException when the filter is not valid LDAP filter syntax (message says why)
     */
    static FilterTemplate compile(String template, Map<String, String> replace) {
        String t = template.strip();
        List<String> byLength = replace.keySet().stream().filter(p -> !p.isEmpty())
                .sorted(Comparator.comparingInt(String::length).reversed()).toList();
        List<Piece> pieces = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < t.length()) {
            String ph = null;
            for (String p : byLength) {
                if (t.startsWith(p, i)) {
                    ph = p;
                    break;
                }
            }
            if (ph == null) {
                literal.append(t.charAt(i++));
                continue;
            }
            if (!literal.isEmpty()) {
                pieces.add(new Piece(literal.toString(), null));
                literal.setLength(0);
            }
            pieces.add(new Piece(null, replace.get(ph)));
            i += ph.length();
        }
        if (!literal.isEmpty()) {
            pieces.add(new Piece(literal.toString(), null));
        }
        StringBuilder sample = new StringBuilder();
        for (Piece p : pieces) {
            sample.append(p.text() != null ? p.text() : "x");
        }
        boolean wrap = !singleParenthesised(sample.toString());
        String checked = wrap ? "(" + sample + ")" : sample.toString();
        Filter parsed;
        try {
            parsed = Filter.create(checked);
        } catch (LDAPException e) {
            throw new IllegalArgumentException("not a valid LDAP filter (" + e.getDiagnosticMessage() + ")");
        }
        Set<String> attributes = new LinkedHashSet<>();
        collectAttributes(parsed, attributes);
        return new FilterTemplate(List.copyOf(pieces), wrap, Set.copyOf(attributes));
    }

    /** {@return true when the template contains at least one placeholder} */
    boolean hasPlaceholders() {
        return pieces.stream().anyMatch(p -> p.field() != null);
    }

    /** {@return the attribute names the filter tests, so a restricted attr_list still returns them} */
    Set<String> attributes() {
        return attributes;
    }

    /**
     * Renders the filter for one searched value.
     *
     * @param request     the request fields
     * @param substituted receives the unescaped values put into the filter
     * @return the filter text, always one parenthesised filter
     */
    String render(LookupRequest request, List<String> substituted) {
        StringBuilder out = new StringBuilder(64);
        if (wrap) {
            out.append('(');
        }
        for (Piece p : pieces) {
            if (p.text() != null) {
                out.append(p.text());
            } else {
                String v = request.field(p.field()).orElseThrow();
                out.append(Filter.encodeValue(v));
                substituted.add(v);
            }
        }
        if (wrap) {
            out.append(')');
        }
        return out.toString();
    }

    /** True when {@code s} is "(" ... ")" with the first parenthesis closed by the last character. */
    private static boolean singleParenthesised(String s) {
        if (!s.startsWith("(")) {
            return false;
        }
        int depth = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
                if (depth == 0) {
                    return i == s.length() - 1;
                }
            }
        }
        return false;
    }

    private static void collectAttributes(Filter f, Set<String> out) {
        if (f.getAttributeName() != null) {
            out.add(f.getAttributeName());
        }
        for (Filter c : f.getComponents()) {
            collectAttributes(c, out);
        }
        if (f.getNOTComponent() != null) {
            collectAttributes(f.getNOTComponent(), out);
        }
    }
}
