package xspct.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.WritableHeaders;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The token look of the guard decides as Helidon's {@code containsToken} does. */
class HeaderTokensTest {

    @ParameterizedTest
    @ValueSource(strings = {"close", "Close", "CLOSE", " close ", "\tclose", "keep-alive", "Keep-Alive",
        "keep-alive, close", "close, keep-alive", "keep-alive,close", "te,  close  ,upgrade", "closed", "clos",
        "xclose", "", ",", " , ", "\"close\"", "\"a,close\"", "\"a\",close", "\"unterminated, close",
        "a\"b\",close", "close\"", "upgrade, \"x\" , CLOSE", "closeclose", "close,"})
    void oneValueIsDecidedAsHelidonDecides(String value) {
        WritableHeaders<?> headers = WritableHeaders.create();
        headers.set(HeaderNames.CONNECTION, value);
        assertEquals(headers.containsToken(HeaderValues.CONNECTION_CLOSE),
                HeaderTokens.has(headers, HeaderNames.CONNECTION, "close"), value);
    }

    @ParameterizedTest
    @ValueSource(strings = {"keep-alive|close", "keep-alive|upgrade", "|close", "a, b|c, CLOSE", "\"x|close\""})
    void severalValuesAreDecidedAsHelidonDecides(String values) {
        WritableHeaders<?> headers = WritableHeaders.create();
        headers.set(HeaderNames.CONNECTION, values.split("\\|", -1));
        assertEquals(headers.containsToken(HeaderValues.CONNECTION_CLOSE),
                HeaderTokens.has(headers, HeaderNames.CONNECTION, "close"), values);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void anAbsentHeaderListsNothing(boolean other) {
        WritableHeaders<?> headers = WritableHeaders.create();
        if (other) {
            headers.set(HeaderNames.CONTENT_TYPE, "close");
        }
        assertEquals(false, HeaderTokens.has(headers, HeaderNames.CONNECTION, "close"));
    }
}
