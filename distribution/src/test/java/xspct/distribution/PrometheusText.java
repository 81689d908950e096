package xspct.distribution;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format 0.0.4, for tests: every line must be a HELP, TYPE or
 * other comment, or a sample with valid name, labels, value and optional timestamp. Families must be contiguous,
 * typed before their first sample, with the sample names their type allows; no series may repeat; histogram buckets
 * must be cumulative with a {@code +Inf} bucket equal to {@code _count}. Any violation throws
 * {@link IllegalArgumentException} naming the line.
 */
final class PrometheusText {
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    /**
     * One sample.
     *
     * @param name   the sample name
     * @param labels its labels, sorted by name
     * @param value  its value
     */
    record Sample(String name, Map<String, String> labels, double value) {
    }

    /**
     * A metric family.
     *
     * @param name    the family name (of the TYPE line, or the sample name when untyped)
     * @param type    its type
     * @param help    its help text, empty when none
     * @param samples its samples in order
     */
    record Family(String name, String type, String help, List<Sample> samples) {
    }

    private final Map<String, Family> families;

    private PrometheusText(Map<String, Family> families) {
        this.families = families;
    }

    /** {@return the families by name, in order} */
    Map<String, Family> families() {
        return Collections.unmodifiableMap(families);
    }

    /**
     * Parses a whole exposition.
     *
     * @param text the text
     * @return the parsed families
     * @throws IllegalArgumentException at the first violation
     */
    static PrometheusText parse(String text) {
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("the exposition must end with a line feed");
        }
        Map<String, Family> families = new LinkedHashMap<>();
        Map<String, String> helps = new LinkedHashMap<>();
        Set<String> series = new HashSet<>();
        Set<String> closed = new HashSet<>();
        Family current = null;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length - 1; i++) {
            String line = lines[i];
            String where = "line " + (i + 1) + " '" + line + "'";
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                String[] parts = line.split(" ", 4);
                if (parts.length >= 3 && parts[0].equals("#") && (parts[1].equals("HELP")
                        || parts[1].equals("TYPE"))) {
                    String name = parts[2];
                    require(METRIC_NAME.matcher(name).matches(), where, "bad metric name");
                    if (parts[1].equals("HELP")) {
                        require(!helps.containsKey(name), where, "second HELP for " + name);
                        helps.put(name, parts.length == 4 ? unescapeHelp(parts[3], where) : "");
                    } else {
                        require(parts.length == 4 && TYPES.contains(parts[3]), where, "bad type");
                        require(!families.containsKey(name), where, "TYPE after samples or twice for " + name);
                        if (current != null) {
                            closed.add(current.name());
                        }
                        current = new Family(name, parts[3], helps.getOrDefault(name, ""), new ArrayList<>());
                        families.put(name, current);
                    }
                }
                continue;
            }
            Sample s = sample(line, where);
            String family = current == null ? null : familyOf(current, s);
            if (family == null) {
                // an untyped sample starts (or continues) a family of its own name
                require(!closed.contains(s.name()) && (current == null || !current.name().equals(s.name())
                        || current.type().equals("untyped")), where, "sample outside its family");
                if (current == null || !current.name().equals(s.name())) {
                    require(!families.containsKey(s.name()), where, "family " + s.name() + " is not contiguous");
                    if (current != null) {
                        closed.add(current.name());
                    }
                    current = new Family(s.name(), "untyped", helps.getOrDefault(s.name(), ""), new ArrayList<>());
                    families.put(s.name(), current);
                }
            }
            require(series.add(s.name() + s.labels()), where, "duplicate series");
            current.samples().add(s);
        }
        for (Family f : families.values()) {
            if (f.type().equals("histogram")) {
                checkHistogram(f);
            }
        }
        return new PrometheusText(families);
    }

    /** The family a sample belongs to when it fits the current family's type, else null. */
    private static String familyOf(Family f, Sample s) {
        String n = f.name();
        String sn = s.name();
        boolean fits = switch (f.type()) {
            case "counter", "gauge", "untyped" -> sn.equals(n);
            case "histogram" -> sn.equals(n + "_bucket") && s.labels().containsKey("le") || sn.equals(n + "_sum")
                    || sn.equals(n + "_count");
            case "summary" -> sn.equals(n) && s.labels().containsKey("quantile") || sn.equals(n + "_sum")
                    || sn.equals(n + "_count");
            default -> false;
        };
        return fits ? n : null;
    }

    private static void checkHistogram(Family f) {
        Map<Map<String, String>, TreeMap<Double, Double>> buckets = new LinkedHashMap<>();
        Map<Map<String, String>, Double> counts = new LinkedHashMap<>();
        for (Sample s : f.samples()) {
            Map<String, String> base = new TreeMap<>(s.labels());
            String le = base.remove("le");
            if (s.name().endsWith("_bucket")) {
                buckets.computeIfAbsent(base, k -> new TreeMap<>()).put(number(le, "le of " + f.name()), s.value());
            } else if (s.name().endsWith("_count")) {
                counts.put(base, s.value());
            }
        }
        require(!buckets.isEmpty(), f.name(), "histogram without buckets");
        buckets.forEach((labels, b) -> {
            double previous = 0;
            for (double v : b.values()) {
                require(v >= previous, f.name() + labels, "buckets are not cumulative");
                previous = v;
            }
            require(b.containsKey(Double.POSITIVE_INFINITY), f.name() + labels, "no +Inf bucket");
            require(counts.containsKey(labels) && counts.get(labels).equals(b.get(Double.POSITIVE_INFINITY)),
                    f.name() + labels, "+Inf bucket differs from _count");
        });
    }

    private static Sample sample(String line, String where) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        require(METRIC_NAME.matcher(name).matches(), where, "bad metric name");
        Map<String, String> labels = new TreeMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (true) {
                require(i < line.length(), where, "unterminated labels");
                if (line.charAt(i) == '}') {
                    i++;
                    break;
                }
                int eq = line.indexOf('=', i);
                require(eq > i, where, "label without '='");
                String label = line.substring(i, eq);
                require(LABEL_NAME.matcher(label).matches(), where, "bad label name '" + label + "'");
                require(eq + 1 < line.length() && line.charAt(eq + 1) == '"', where, "label value not quoted");
                StringBuilder v = new StringBuilder();
                int j = eq + 2;
                while (true) {
                    require(j < line.length(), where, "unterminated label value");
                    char c = line.charAt(j);
                    if (c == '\\') {
                        require(j + 1 < line.length(), where, "dangling escape");
                        char e = line.charAt(j + 1);
                        require(e == '\\' || e == '"' || e == 'n', where, "bad escape \\" + e);
                        v.append(e == 'n' ? '\n' : e);
                        j += 2;
                    } else if (c == '"') {
                        j++;
                        break;
                    } else {
                        v.append(c);
                        j++;
                    }
                }
                require(labels.put(label, v.toString()) == null, where, "label " + label + " twice");
                i = j;
                require(i < line.length(), where, "unterminated labels");
                if (line.charAt(i) == ',') {
                    i++;
                } else {
                    require(line.charAt(i) == '}', where, "expected ',' or '}'");
                }
            }
        }
        require(i < line.length() && line.charAt(i) == ' ', where, "no blank before the value");
        String[] rest = line.substring(i + 1).split(" ", -1);
        require(rest.length == 1 || rest.length == 2, where, "expected value [timestamp]");
        double value = number(rest[0], where);
        if (rest.length == 2) {
            require(rest[1].matches("-?[0-9]+"), where, "bad timestamp");
        }
        return new Sample(name, Collections.unmodifiableMap(labels), value);
    }

    private static double number(String s, String where) {
        switch (s) {
            case "+Inf", "Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            case "NaN":
                return Double.NaN;
            default:
                require(s.matches("[-+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?"), where,
                        "bad number '" + s + "'");
                return Double.parseDouble(s);
        }
    }

    private static String unescapeHelp(String s, String where) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                require(i + 1 < s.length() && (s.charAt(i + 1) == '\\' || s.charAt(i + 1) == 'n'), where,
                        "bad escape in HELP");
                sb.append(s.charAt(++i) == 'n' ? '\n' : '\\');
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static void require(boolean ok, String where, String what) {
        if (!ok) {
            throw new IllegalArgumentException(where + ": " + what);
        }
    }

    /**
     * The value of one series.
     *
     * @param name   the sample name, e.g. {@code http_requests_total}
     * @param labels the exact label set ({@code name, value, name, value, ...})
     * @return the value
     * @throws AssertionError when the series is absent
     */
    double value(String name, String... labels) {
        Map<String, String> want = new TreeMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            want.put(labels[i], labels[i + 1]);
        }
        for (Family f : families.values()) {
            for (Sample s : f.samples()) {
                if (s.name().equals(name) && s.labels().equals(want)) {
                    return s.value();
                }
            }
        }
        throw new AssertionError("no series " + name + want);
    }

    /**
     * Every sample of a name.
     *
     * @param name the sample name
     * @return the samples, possibly none
     */
    List<Sample> samples(String name) {
        List<Sample> out = new ArrayList<>();
        for (Family f : families.values()) {
            for (Sample s : f.samples()) {
                if (s.name().equals(name)) {
                    out.add(s);
                }
            }
        }
        return out;
    }
}
