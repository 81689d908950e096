package xspct.backend.mysql;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import xspct.api.LookupRequest;

/**
 * A MySQL {@code query} with its {@code query_replace} placeholders, compiled once (see docs/compatibility.md:
 * "SQL and LDAP templates are substituted safely").
 *
 * <p>The template is read by a scanner that knows SQL string literals ({@code '...'}, {@code "..."} with
 * backslash and doubled-quote escapes), backquoted identifiers and comments. Every placeholder occurrence becomes
 * one {@code ?} bound parameter, in the order of the text:
 * <ul>
 *   <li>inside a string literal, the whole literal becomes the parameter: its text before and after the
 *       placeholder are kept as prefix and suffix ({@code '@%d'} binds {@code @ex.de}); several placeholders in
 *       one literal are concatenated;</li>
 *   <li>elsewhere the placeholder is bound alone ({@code mail = %s}).</li>
 * </ul>
 * {@code %%} stands for a literal {@code %} anywhere (the original's driver syntax). When the parameter is a LIKE
 * pattern (the literal or placeholder follows {@code LIKE}, or the literal's own text contains {@code %}), the
 * {@code \}, {@code %} and {@code _} of the request value are escaped so that an address can only match itself.
 *
 * <p>The condition after the first top-level {@code WHERE}, up to a top-level {@code ORDER BY}, {@code GROUP BY},
 * {@code HAVING}, {@code LIMIT}, {@code WINDOW}, {@code FOR}, {@code LOCK} or {@code UNION}, is the per-address
 * part: a batch runs {@code <select> WHERE (cond) OR (cond) ... <tail>}. Values never enter the SQL text.
 */
final class SqlTemplate {
    private static final Set<String> TAIL_WORDS = Set.of("ORDER", "GROUP", "HAVING", "LIMIT", "WINDOW", "FOR",
            "LOCK", "UNION");

    /** A piece of a parameter: fixed text, or a request field. */
    record Piece(String text, String field) {
    }

    /**
     * One bound parameter.
     *
     * @param pieces     its pieces, concatenated
     * @param escapeLike whether request values are escaped as LIKE pattern text
     */
    record Param(List<Piece> pieces, boolean escapeLike) {
        String value(LookupRequest r, boolean escaped) {
            StringBuilder sb = new StringBuilder();
            for (Piece p : pieces) {
                if (p.text() != null) {
                    sb.append(p.text());
                } else {
                    String v = r.field(p.field()).orElseThrow();
                    sb.append(escaped && escapeLike ? SqlTemplate.escapeLike(v) : v);
                }
            }
            return sb.toString();
        }
    }

    /** A scanned piece of SQL: text, a word (with its parenthesis depth), or a parameter marker. */
    private record Segment(String text, boolean word, int depth, Param param, boolean lineComment) {
        Segment(String text, boolean word, int depth, Param param) {
            this(text, word, depth, param, false);
        }
    }

    private final String select;
    private final String condition;
    private final String tail;
    private final List<Param> params;
    private final boolean hasWhere;

    private SqlTemplate(String select, String condition, String tail, List<Param> params, boolean hasWhere) {
        this.select = select;
        this.condition = condition;
        this.tail = tail;
        this.params = params;
        this.hasWhere = hasWhere;
    }

    /**
     * Compiles a template.
     *
     * @param query   the SQL with placeholders
     * @param replace placeholder to request field name
     * @return the template
     * @throws IllegalArgumentException naming the problem (unterminated literal, placeholder outside WHERE, ...)
     */
    static SqlTemplate compile(String query, Map<String, String> replace) {
        String q = query.strip();
        while (q.endsWith(";")) {
            q = q.substring(0, q.length() - 1).strip();
        }
        List<String> placeholders = replace.keySet().stream().filter(p -> !p.isEmpty())
                .sorted(Comparator.comparingInt(String::length).reversed()).toList();
        List<Segment> segs = scan(q, placeholders, replace);

        int where = -1;
        for (int i = 0; i < segs.size(); i++) {
            Segment s = segs.get(i);
            if (s.word() && s.depth() == 0 && s.text().equalsIgnoreCase("WHERE")) {
                where = i;
                break;
            }
        }
        if (where < 0) {
            if (segs.stream().anyMatch(s -> s.param() != null)) {
                throw new IllegalArgumentException("placeholders can only be used in a WHERE condition, and the "
                        + "query has no WHERE");
            }
            return new SqlTemplate(trimmed(segs, 0, segs.size()), "", "", List.of(), false);
        }
        int tailAt = segs.size();
        for (int i = where + 1; i < segs.size(); i++) {
            Segment s = segs.get(i);
            if (s.word() && s.depth() == 0 && TAIL_WORDS.contains(s.text().toUpperCase(Locale.ROOT))) {
                tailAt = i;
                break;
            }
        }
        for (int i = 0; i < segs.size(); i++) {
            if (segs.get(i).param() != null && (i < where || i >= tailAt)) {
                throw new IllegalArgumentException("a placeholder is used outside the WHERE condition (only the "
                        + "condition is repeated for each address)");
            }
        }
        List<Param> params = new ArrayList<>();
        for (int i = where + 1; i < tailAt; i++) {
            if (segs.get(i).param() != null) {
                params.add(segs.get(i).param());
            }
        }
        String cond = trimmed(segs, where + 1, tailAt);
        if (cond.isBlank()) {
            throw new IllegalArgumentException("the WHERE condition is empty");
        }
        return new SqlTemplate(trimmed(segs, 0, where), cond, trimmed(segs, tailAt, segs.size()),
                List.copyOf(params), true);
    }

    /** {@return true when the query has a WHERE condition (and so can be batched)} */
    boolean hasWhere() {
        return hasWhere;
    }

    /** {@return the text after the condition, e.g. {@code ORDER BY prio LIMIT 5}, or empty} */
    String tail() {
        return tail;
    }

    /** {@return the parameters of one condition, in positional order} */
    List<Param> params() {
        return params;
    }

    /**
     * The SQL for a batch.
     *
     * @param conditions how many copies of the condition (distinct parameter lists)
     * @return the statement text with {@code ?} markers
     */
    String sql(int conditions) {
        if (!hasWhere) {
            return select;
        }
        StringBuilder sb = new StringBuilder(select.length() + tail.length() + (condition.length() + 6) * conditions);
        sb.append(select).append(select.endsWith("\n") ? "WHERE " : " WHERE ");
        for (int i = 0; i < conditions; i++) {
            if (i > 0) {
                sb.append(" OR ");
            }
            sb.append('(').append(condition).append(')');
        }
        if (!tail.isEmpty()) {
            sb.append(' ').append(tail);
        }
        return sb.toString();
    }

    static String escapeLike(String v) {
        StringBuilder sb = new StringBuilder(v.length() + 4);
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '\\' || c == '%' || c == '_') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.toString();
    }

    /** Joined and stripped, but a trailing {@code --}/{@code #} comment keeps its line end (text follows it). */
    private static String trimmed(List<Segment> segs, int from, int to) {
        String s = join(segs, from, to).strip();
        for (int i = to - 1; i >= from; i--) {
            Segment seg = segs.get(i);
            if (seg.param() == null && !seg.word() && !seg.lineComment() && seg.text().isBlank()) {
                continue;
            }
            return seg.lineComment() ? s + "\n" : s;
        }
        return s;
    }

    private static String join(List<Segment> segs, int from, int to) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < to; i++) {
            Segment s = segs.get(i);
            sb.append(s.param() != null ? "?" : s.text());
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ scanner

    private static List<Segment> scan(String q, List<String> placeholders, Map<String, String> replace) {
        List<Segment> out = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        int depth = 0;
        String last = "";     // last significant token (upper-cased word or punctuation)
        String beforeLast = "";
        int n = q.length();
        int i = 0;
        while (i < n) {
            char c = q.charAt(i);
            if (q.startsWith("%%", i)) {
                text.append('%');
                i += 2;
                beforeLast = last;
                last = "%";
                continue;
            }
            String ph = placeholderAt(q, i, placeholders);
            if (ph != null) {
                flush(text, out, depth);
                out.add(new Segment("?", false, depth, new Param(List.of(new Piece(null, replace.get(ph))),
                        isLike(last, beforeLast))));
                i += ph.length();
                beforeLast = last;
                last = "?";
                continue;
            }
            if (c == '\'' || c == '"') {
                int end = literal(q, i, placeholders, replace, isLike(last, beforeLast), text, out, depth);
                i = end;
                beforeLast = last;
                last = "'";
                continue;
            }
            if (c == '`') {
                int end = q.indexOf('`', i + 1);
                while (end >= 0 && end + 1 < n && q.charAt(end + 1) == '`') {
                    end = q.indexOf('`', end + 2);
                }
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated `identifier` at position " + i);
                }
                text.append(q, i, end + 1);
                i = end + 1;
                beforeLast = last;
                last = "`";
                continue;
            }
            if (c == '#' || (c == '-' && i + 1 < n && q.charAt(i + 1) == '-'
                    && (i + 2 >= n || Character.isWhitespace(q.charAt(i + 2))))) {
                int end = q.indexOf('\n', i);
                end = end < 0 ? n : end;
                flush(text, out, depth);
                out.add(new Segment(q.substring(i, end), false, depth, null, true));
                i = end;
                continue;
            }
            if (c == '/' && i + 1 < n && q.charAt(i + 1) == '*') {
                int end = q.indexOf("*/", i + 2);
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated /* comment at position " + i);
                }
                text.append(q, i, end + 2);
                i = end + 2;
                continue;
            }
            if (Character.isLetterOrDigit(c) || c == '_' || c == '$') {
                int j = i;
                while (j < n && (Character.isLetterOrDigit(q.charAt(j)) || q.charAt(j) == '_' || q.charAt(j) == '$')
                        && placeholderAt(q, j, placeholders) == null && !q.startsWith("%%", j)) {
                    j++;
                }
                flush(text, out, depth);
                String word = q.substring(i, j);
                out.add(new Segment(word, true, depth, null));
                beforeLast = last;
                last = word.toUpperCase(Locale.ROOT);
                i = j;
                continue;
            }
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            }
            text.append(c);
            if (!Character.isWhitespace(c)) {
                beforeLast = last;
                last = String.valueOf(c);
            }
            i++;
        }
        flush(text, out, depth);
        return out;
    }

    /** Reads a string literal starting at {@code start}; returns the index after its closing quote. */
    private static int literal(String q, int start, List<String> placeholders, Map<String, String> replace,
                               boolean afterLike, StringBuilder text, List<Segment> out, int depth) {
        char quote = q.charAt(start);
        StringBuilder source = new StringBuilder().append(quote);
        StringBuilder value = new StringBuilder();
        List<Piece> pieces = new ArrayList<>();
        boolean percentInText = false;
        int n = q.length();
        int j = start + 1;
        while (true) {
            if (j >= n) {
                throw new IllegalArgumentException("unterminated string literal at position " + start);
            }
            char d = q.charAt(j);
            if (d == '\\' && j + 1 < n) {
                char e = q.charAt(j + 1);
                source.append(d).append(e);
                value.append(unescape(e));
                percentInText |= e == '%' || e == '_';
                j += 2;
                continue;
            }
            if (d == quote) {
                if (j + 1 < n && q.charAt(j + 1) == quote) {
                    source.append(d).append(d);
                    value.append(d);
                    j += 2;
                    continue;
                }
                source.append(d);
                j++;
                break;
            }
            if (q.startsWith("%%", j)) {
                source.append('%');
                value.append('%');
                percentInText = true;
                j += 2;
                continue;
            }
            String ph = placeholderAt(q, j, placeholders);
            if (ph != null) {
                if (!value.isEmpty()) {
                    pieces.add(new Piece(value.toString(), null));
                    value.setLength(0);
                }
                pieces.add(new Piece(null, replace.get(ph)));
                j += ph.length();
                continue;
            }
            source.append(d);
            value.append(d);
            percentInText |= d == '%';
            j++;
        }
        if (pieces.isEmpty()) {
            text.append(source);
            return j;
        }
        if (!value.isEmpty()) {
            pieces.add(new Piece(value.toString(), null));
        }
        flush(text, out, depth);
        out.add(new Segment("?", false, depth, new Param(List.copyOf(pieces), afterLike || percentInText)));
        return j;
    }

    /** MySQL's backslash escapes; {@code \%} and {@code \_} keep their backslash (they are LIKE escapes). */
    private static String unescape(char e) {
        return switch (e) {
            case '0' -> "\0";
            case 'b' -> "\b";
            case 'n' -> "\n";
            case 'r' -> "\r";
            case 't' -> "\t";
            case 'Z' -> "\u001a";
            case '%' -> "\\%";
            case '_' -> "\\_";
            default -> String.valueOf(e);
        };
    }

    private static boolean isLike(String last, String beforeLast) {
        return last.equals("LIKE") || last.equals("BINARY") && beforeLast.equals("LIKE");
    }

    private static String placeholderAt(String q, int i, List<String> placeholders) {
        for (String p : placeholders) {
            if (q.startsWith(p, i)) {
                return p;
            }
        }
        return null;
    }

    private static void flush(StringBuilder text, List<Segment> out, int depth) {
        if (!text.isEmpty()) {
            out.add(new Segment(text.toString(), false, depth, null));
            text.setLength(0);
        }
    }
}
