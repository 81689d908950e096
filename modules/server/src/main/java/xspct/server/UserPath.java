package xspct.server;

import java.util.Optional;

import io.helidon.common.parameters.Parameters;
import io.helidon.common.uri.UriPath;
import io.helidon.common.uri.UriPathSegment;
import io.helidon.http.PathMatcher;
import io.helidon.http.PathMatchers;
import io.helidon.http.RoutedPath;

/**
 * A lookup path template with one trailing address parameter ({@code /v1/query/{user}}, {@code /v1/query/{user}/},
 * {@code /v1/query/{+user}}), matched by string tests instead of Helidon's regular expression. It accepts exactly the
 * decoded paths the pattern would ({@code {user}} is one non-empty segment, {@code {+user}} anything non-empty on one
 * line) and reports the template as the matching pattern, the route label of the request metrics. It exists because
 * the lookup routes are the hot path: the pattern allocates a matcher, a parameter map and a copy of its own text on
 * every request, and the handlers read the address from the raw path anyway.
 */
final class UserPath implements PathMatcher {
    private static final Parameters NO_PARAMETERS = Parameters.empty("http/path");

    private final String prefix;
    private final boolean anyDepth;
    private final boolean trailingSlash;
    private final Optional<String> template;
    /** Helidon's own matcher of the template, for the nested-routing case this class does not optimise. */
    private final PathMatcher pattern;

    private UserPath(String template) {
        int open = template.indexOf('{');
        String param = open < 1 ? "" : template.substring(open);
        if (!(param.equals("{user}") || param.equals("{user}/") || param.equals("{+user}"))) {
            throw new IllegalArgumentException("not a lookup path template: " + template);
        }
        this.prefix = template.substring(0, open);
        this.anyDepth = param.startsWith("{+");
        this.trailingSlash = param.endsWith("}/");
        this.template = Optional.of(template);
        this.pattern = PathMatchers.pattern(template);
    }

    /**
     * The matcher of one template.
     *
     * @param template {@code PREFIX{user}}, {@code PREFIX{user}/} or {@code PREFIX{+user}}
     * @return the matcher
     */
    static UserPath of(String template) {
        return new UserPath(template);
    }

    @Override
    public PathMatchers.MatchResult match(UriPath uriPath) {
        String path = uriPath.path();
        if (!path.startsWith(prefix)) {
            return PathMatchers.MatchResult.notAccepted();
        }
        int start = prefix.length();
        int end = trailingSlash ? path.length() - 1 : path.length();
        if (end <= start || trailingSlash && path.charAt(end) != '/') {
            return PathMatchers.MatchResult.notAccepted();
        }
        for (int i = start; i < end; i++) {
            char c = path.charAt(i);
            if (anyDepth ? lineTerminator(c) : c == '/') {
                return PathMatchers.MatchResult.notAccepted();
            }
        }
        return new PathMatchers.MatchResult(true, new Matched(uriPath));
    }

    @Override
    public PathMatchers.PrefixMatchResult prefixMatch(UriPath uriPath) {
        return pattern.prefixMatch(uriPath);
    }

    @Override
    public Optional<String> matchingElement() {
        return template;
    }

    @Override
    public String toString() {
        return template.get();
    }

    /** What {@code .} does not match in a Java regular expression without flags. */
    private static boolean lineTerminator(char c) {
        return c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029';
    }

    /** The request's path with no path parameters: the handlers take the address from the raw path. */
    private record Matched(UriPath uri) implements RoutedPath {
        @Override
        public Parameters pathParameters() {
            return NO_PARAMETERS;
        }

        @Override
        public RoutedPath absolute() {
            return new Matched(uri.absolute());
        }

        @Override
        public String rawPath() {
            return uri.rawPath();
        }

        @Override
        public String rawPathNoParams() {
            return uri.rawPathNoParams();
        }

        @Override
        public String path() {
            return uri.path();
        }

        @Override
        public Parameters matrixParameters() {
            return uri.matrixParameters();
        }

        @Override
        public java.util.List<UriPathSegment> segments() {
            return uri.segments();
        }

        @Override
        public void validate() {
            uri.validate();
        }
    }
}
