package xspct.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A logged value cannot start a line of its own. */
class LogSetupTest {
    static Stream<Arguments> messages() {
        return Stream.of(
                Arguments.of("from=a@ex.de\r\nXspct_DB CRITICAL forged", "from=a@ex.de\\r\\nXspct_DB CRITICAL forged"),
                Arguments.of("rcpts=[b@ex.de\nXspct_DB ERROR x]", "rcpts=[b@ex.de\\nXspct_DB ERROR x]"),
                Arguments.of("a\tb\u0000c\u007f", "a\\tb\\x00c\\x7f"),
                Arguments.of("a\u0085b\u2028c", "a\\x85b\\u2028c"),
                Arguments.of("Grüße <a@ex.de> 100% {}", "Grüße <a@ex.de> 100% {}"));
    }

    @ParameterizedTest
    @MethodSource("messages")
    void controlCharactersAreEscaped(String message, String logged) {
        StringBuilder sb = new StringBuilder();
        LogSetup.appendEscaped(sb, message);
        assertEquals(logged, sb.toString());
    }
}
