package xspct.core.regex;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A regular expression written in Python's {@code re} dialect (as in xspct_db configs), translated to
 * {@link Pattern} once at start.
 *
 * <p>Translated: named groups {@code (?P<name>...)} and back-references {@code (?P=name)} (group names are
 * renamed because Java allows no underscores in them), {@code \Z}. Matching runs on a budget of character reads so
 * that a pathological pattern cannot pin a CPU on an attacker-chosen address, and on inputs of at most
 * {@value #MAX_INPUT} characters so that it cannot exhaust the stack: an exhausted budget, a longer input, or a stack
 * overflow all the same (a last line of defence) counts as no match.
 */
public final class PythonRegex {
    /** Character reads allowed per match attempt; generous for any address-sized input. */
    static final long MATCH_BUDGET = 200_000;
    /**
     * Longer inputs never match: far beyond any address (320 characters at most), and the recursion of Java's
     * matcher grows with the input (a nested repetition overflows a 1 MB stack at about 2,000 characters).
     */
    static final int MAX_INPUT = 1024;

    private final String source;
    private final Pattern pattern;
    private final Map<String, String> groupNames;

    private PythonRegex(String source, Pattern pattern, Map<String, String> groupNames) {
        this.source = source;
        this.pattern = pattern;
        this.groupNames = groupNames;
    }

    /**
     * Translates and compiles a Python pattern.
     *
     * @param python the pattern text
     * @return the compiled pattern
     * @throws IllegalArgumentException with a message for the operator when the pattern is invalid or cannot be
     *                                  translated faithfully
     */
    public static PythonRegex compile(String python) {
        Map<String, String> names = new HashMap<>();
        StringBuilder out = new StringBuilder(python.length() + 8);
        boolean inClass = false;
        for (int i = 0; i < python.length(); i++) {
            char c = python.charAt(i);
            if (c == '\\' && i + 1 < python.length()) {
                char n = python.charAt(i + 1);
                if (n == 'Z' && !inClass) {
                    out.append("\\z");
                } else {
                    out.append(c).append(n);
                }
                i++;
                continue;
            }
            if (inClass) {
                if (c == ']') {
                    inClass = false;
                }
                out.append(c);
                continue;
            }
            if (c == '[') {
                inClass = true;
                out.append(c);
                if (i + 1 < python.length() && python.charAt(i + 1) == '^') {
                    out.append('^');
                    i++;
                }
                if (i + 1 < python.length() && python.charAt(i + 1) == ']') {
                    out.append("\\]");
                    i++;
                }
                continue;
            }
            if (python.startsWith("(?P<", i)) {
                int end = python.indexOf('>', i + 4);
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated group name in '" + python + "'");
                }
                String name = python.substring(i + 4, end);
                if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    throw new IllegalArgumentException("bad group name '" + name + "' in '" + python + "'");
                }
                String javaName = "g" + names.size() + "x" + name.replace("_", "");
                names.put(name, javaName);
                out.append("(?<").append(javaName).append('>');
                i = end;
                continue;
            }
            if (python.startsWith("(?P=", i)) {
                int end = python.indexOf(')', i + 4);
                String name = end < 0 ? "" : python.substring(i + 4, end);
                String javaName = names.get(name);
                if (javaName == null) {
                    throw new IllegalArgumentException("unknown group name '" + name + "' in '" + python + "'");
                }
                out.append("\\k<").append(javaName).append('>');
                i = end;
                continue;
            }
            out.append(c);
        }
        try {
            return new PythonRegex(python, Pattern.compile(out.toString()), Map.copyOf(names));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid regular expression '" + python + "': "
                    + e.getDescription());
        }
    }

    /** {@return the pattern as written in the configuration} */
    public String source() {
        return source;
    }

    /**
     * A matcher over the input that gives up after the match budget.
     *
     * @param input the text
     * @return the matcher
     */
    public Matcher matcher(CharSequence input) {
        return pattern.matcher(new BudgetedChars(input.toString(), MATCH_BUDGET));
    }

    /**
     * Unanchored search, as Python's {@code re.search}.
     *
     * @param input the text
     * @return true when the pattern occurs; false also when the budget ran out
     */
    public boolean search(String input) {
        return find(input).isPresent();
    }

    /**
     * Unanchored search, as Python's {@code re.search}, with its groups.
     *
     * @param input the text
     * @return the first match; empty also when the input is too long or the budget ran out
     */
    public Optional<MatchResult> find(String input) {
        if (input.length() > MAX_INPUT) {
            return Optional.empty();
        }
        try {
            Matcher m = matcher(input);
            return m.find() ? Optional.of(m.toMatchResult()) : Optional.empty();
        } catch (BudgetedChars.BudgetExceeded | StackOverflowError e) {
            return Optional.empty();
        }
    }

    /**
     * Compiles a replacement in Python's {@code re.sub} syntax for this pattern.
     *
     * @param python the replacement text
     * @return the replacement
     * @throws IllegalArgumentException when it refers to unknown groups or uses a bad escape
     */
    public Replacement replacement(String python) {
        return Replacement.compile(python, this);
    }

    /**
     * Replaces all non-overlapping matches, as Python's {@code re.sub}.
     *
     * @param input       the text
     * @param replacement a replacement compiled for this pattern
     * @return the result; the input unchanged when it is too long or the budget ran out
     */
    public String substituteAll(String input, Replacement replacement) {
        if (input.length() > MAX_INPUT) {
            return input;
        }
        try {
            Matcher m = matcher(input);
            StringBuilder sb = null;
            int last = 0;
            while (m.find()) {
                if (sb == null) {
                    sb = new StringBuilder(input.length() + 16);
                }
                sb.append(input, last, m.start());
                replacement.appendTo(m, sb);
                last = m.end();
            }
            if (sb == null) {
                return input;
            }
            return sb.append(input, last, input.length()).toString();
        } catch (BudgetedChars.BudgetExceeded | StackOverflowError e) {
            return input;
        }
    }

    int groupCount() {
        return pattern.matcher("").groupCount();
    }

    String javaGroupName(String pythonName) {
        return groupNames.get(pythonName);
    }

    /**
     * A compiled {@code re.sub} replacement: literal text and group references.
     */
    public static final class Replacement {
        private final List<Object> parts;

        private Replacement(List<Object> parts) {
            this.parts = parts;
        }

        static Replacement compile(String python, PythonRegex regex) {
            List<Object> parts = new ArrayList<>();
            StringBuilder lit = new StringBuilder();
            int groups = regex.groupCount();
            for (int i = 0; i < python.length(); i++) {
                char c = python.charAt(i);
                if (c != '\\' || i + 1 == python.length()) {
                    lit.append(c);
                    continue;
                }
                char n = python.charAt(++i);
                Object group = null;
                if (Character.isDigit(n)) {
                    int j = i;
                    while (j < python.length() && j < i + 2 && Character.isDigit(python.charAt(j))) {
                        j++;
                    }
                    int g = Integer.parseInt(python.substring(i, j));
                    if (n == '0') {
                        throw new IllegalArgumentException("octal escapes are not supported in '" + python + "'");
                    }
                    group = checkGroup(g, groups, python);
                    i = j - 1;
                } else if (n == 'g' && i + 1 < python.length() && python.charAt(i + 1) == '<') {
                    int end = python.indexOf('>', i + 2);
                    if (end < 0) {
                        throw new IllegalArgumentException("missing '>' in '" + python + "'");
                    }
                    String ref = python.substring(i + 2, end);
                    if (ref.matches("\\d+")) {
                        group = checkGroup(Integer.parseInt(ref), groups, python);
                    } else {
                        String javaName = regex.javaGroupName(ref);
                        if (javaName == null) {
                            throw new IllegalArgumentException("unknown group name '" + ref + "' in '" + python
                                    + "'");
                        }
                        group = new Named(javaName);
                    }
                    i = end;
                } else {
                    switch (n) {
                        case 'n' -> lit.append('\n');
                        case 't' -> lit.append('\t');
                        case 'r' -> lit.append('\r');
                        case '\\' -> lit.append('\\');
                        default -> {
                            if (Character.isLetter(n)) {
                                throw new IllegalArgumentException("bad escape '\\" + n + "' in '" + python + "'");
                            }
                            lit.append('\\').append(n);
                        }
                    }
                }
                if (group != null) {
                    if (!lit.isEmpty()) {
                        parts.add(lit.toString());
                        lit.setLength(0);
                    }
                    parts.add(group);
                }
            }
            if (!lit.isEmpty()) {
                parts.add(lit.toString());
            }
            return new Replacement(List.copyOf(parts));
        }

        private static Integer checkGroup(int g, int groups, String python) {
            if (g > groups) {
                throw new IllegalArgumentException("invalid group reference " + g + " in '" + python + "'");
            }
            return g;
        }

        void appendTo(Matcher m, StringBuilder sb) {
            for (Object p : parts) {
                String v = switch (p) {
                    case Integer g -> m.group(g);
                    case Named n -> m.group(n.javaName());
                    default -> (String) p;
                };
                if (v != null) {
                    sb.append(v);
                }
            }
        }

        private record Named(String javaName) {
        }
    }
}
