package xspct.server;

import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.Headers;

/**
 * Whether a header lists a token ({@code Connection: keep-alive, close}), as Helidon's {@code Headers.containsToken}
 * decides it for a one-token value: the header's values split at commas outside double quotes, each piece trimmed and
 * compared ignoring case. Helidon's way builds a stream, lists and strings for every look; this one looks at the
 * characters in place, as it runs on every request and answer.
 */
final class HeaderTokens {
    private HeaderTokens() {
    }

    /**
     * @param headers the headers
     * @param name    the header
     * @param token   the token, without commas, quotes or surrounding blanks
     * @return whether any value of the header lists the token
     */
    static boolean has(Headers headers, HeaderName name, String token) {
        if (!headers.contains(name)) {
            return false;
        }
        Header h = headers.get(name);
        if (h.valueCount() == 1) {
            return listed(h.get(), token);
        }
        for (String v : h.allValues()) {
            if (listed(v, token)) {
                return true;
            }
        }
        return false;
    }

    /** Whether one header value lists the token. */
    static boolean listed(String value, String token) {
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                if (matches(value, start, i, token)) {
                    return true;
                }
                start = i + 1;
            }
        }
        return matches(value, start, value.length(), token);
    }

    /** Whether {@code value[from, to)}, trimmed as {@link String#trim} trims, is the token ignoring case. */
    private static boolean matches(String value, int from, int to, String token) {
        while (from < to && value.charAt(from) <= ' ') {
            from++;
        }
        while (to > from && value.charAt(to - 1) <= ' ') {
            to--;
        }
        return to - from == token.length() && value.regionMatches(true, from, token, 0, token.length());
    }
}
