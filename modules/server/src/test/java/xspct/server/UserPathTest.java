package xspct.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import io.helidon.common.uri.UriPath;
import io.helidon.http.PathMatcher;
import io.helidon.http.PathMatchers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The lookup routes' matcher accepts exactly what Helidon's pattern of the same template accepts. */
class UserPathTest {
    private static final List<String> TEMPLATES = Stream.of(QueryService.GET_PATHS, List.of("/v1/query/{+user}",
            "/query/v1/{+user}")).flatMap(List::stream).toList();

    private static List<String> paths() {
        List<String> paths = new ArrayList<>(List.of("/v1/query/alice@example.com", "/v1/query/alice@example.com/",
                "/v1/query/", "/v1/query", "/v1/query//", "/v1/query/a/b", "/v1/query/a/b/", "/v1/query/a//",
                "/v1/query//a", "/query/v1/x", "/query/v1/x/", "/v1/queryx/a", "/v1/query/a\nb", "/v1/query/a/\nb",
                "/v1/query/a/b\r", "/v1/query/a/\u2028", "/v1/query/\u00e9l\u00e8ve@\u00e9cole.fr", "/v1/query/ ",
                "/v1/query/a b/c", "/v1/query/%2F", "/v1/query/a%2Fb", "/V1/query/a", "/v1/query/a?x=1",
                "/v1/query/a;b=c", "/v1/query/.", "/v1/query/..", "/ping", "/", ""));
        Random random = new Random(17); // fixed: the same paths every run
        String alphabet = "ab/\n\r\u0085\u2028 %.;@";
        for (int i = 0; i < 1000; i++) {
            StringBuilder b = new StringBuilder(random.nextBoolean() ? "/v1/query/" : "/query/v1/");
            for (int n = random.nextInt(7); n > 0; n--) {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            paths.add(b.toString());
        }
        return paths;
    }

    static Stream<String> templates() {
        return TEMPLATES.stream();
    }

    @ParameterizedTest
    @MethodSource("templates")
    void acceptsWhatTheHelidonPatternAccepts(String template) {
        PathMatcher helidon = PathMatchers.pattern(template);
        UserPath ours = UserPath.of(template);
        List<String> differences = new ArrayList<>();
        int accepted = 0;
        for (String path : paths()) {
            UriPath uri = UriPath.createFromDecoded(path);
            PathMatchers.MatchResult expected = helidon.match(uri);
            PathMatchers.MatchResult actual = ours.match(uri);
            if (expected.accepted() != actual.accepted() || expected.accepted()
                    && !(expected.path().rawPath().equals(actual.path().rawPath())
                    && expected.path().path().equals(actual.path().path()))) {
                differences.add(path.replace("\n", "\\n").replace("\r", "\\r"));
            }
            accepted += actual.accepted() ? 1 : 0;
        }
        assertEquals(List.of(), differences, template);
        assertTrue(accepted > 10, template + " accepted only " + accepted + " paths"); // the sample reaches it
    }

    @Test
    void theTemplateIsTheRouteLabel() {
        for (String t : TEMPLATES) {
            assertEquals(PathMatchers.pattern(t).matchingElement(), UserPath.of(t).matchingElement(), t);
        }
    }

    @Test
    void otherTemplatesAreRefused() {
        for (String t : List.of("/v1/query/{id}", "{user}", "/v1/{user}/x", "/v1/query")) {
            assertThrows(IllegalArgumentException.class, () -> UserPath.of(t), t);
        }
    }
}
